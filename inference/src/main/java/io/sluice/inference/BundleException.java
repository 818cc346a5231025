package io.sluice.inference;

/**
 * A model bundle that cannot be used: its manifest is missing or malformed, a file is absent, or a
 * file's SHA-256 differs from the manifest's. The message names the bundle, the file and what was
 * expected; the bundle is refused as a whole.
 */
public class BundleException extends InferenceException {

  private static final long serialVersionUID = 1L;

  public BundleException(String message) {
    super(message);
  }

  public BundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
