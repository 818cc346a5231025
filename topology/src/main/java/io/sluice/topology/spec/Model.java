package io.sluice.topology.spec;

/**
 * A model declared in a topology file.
 *
 * @param name how steps refer to it
 * @param bundle {@code classpath:<name>} or a folder path (relative to the topology file); the
 *     bundle's manifest sets the longest input (longer inputs are truncated and counted)
 * @param threads ONNX Runtime intra-op threads
 */
public record Model(String name, String bundle, int threads) {}
