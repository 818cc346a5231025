package io.sluice.topology.spec;

/**
 * A model declared in a topology file.
 *
 * @param name how steps refer to it
 * @param bundle {@code classpath:<name>} or a folder path (relative to the topology file)
 * @param maxTokens longest input in tokens; longer inputs are truncated (and counted)
 * @param threads ONNX Runtime intra-op threads
 */
public record Model(String name, String bundle, int maxTokens, int threads) {}
