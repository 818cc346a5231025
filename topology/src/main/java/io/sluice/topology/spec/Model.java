package io.sluice.topology.spec;

import java.util.List;
import java.util.Optional;

/**
 * A model declared in a topology file.
 *
 * @param name how steps refer to it
 * @param bundle {@code classpath:<name>} or a folder path (relative to the topology file); the
 *     bundle's manifest sets the longest input (longer inputs are truncated and counted)
 * @param threads ONNX Runtime intra-op threads
 * @param digest the bundle digest ({@code sha256:...}) the bundle must have, if pinned
 * @param trustedKeys public keys (PEM file paths relative to the topology file, or inline PEM)
 *     of which one must have signed the bundle
 * @param allowUnsigned development only: accept an unsigned folder bundle
 */
public record Model(String name, String bundle, int threads, Optional<String> digest,
    List<String> trustedKeys, boolean allowUnsigned) {

  public Model {
    trustedKeys = List.copyOf(trustedKeys);
  }

  /** This model under another name. */
  public Model named(String newName) {
    return new Model(newName, bundle, threads, digest, trustedKeys, allowUnsigned);
  }
}
