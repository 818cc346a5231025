package io.sluice.inference;

/**
 * A bundle whose files are intact but which the trust policy refuses: not signed, signed by a key
 * that is not trusted, a signature that does not match the manifest, or another digest than the
 * one pinned. The message names the bundle, where it came from, the key and the digests.
 */
public final class UntrustedBundleException extends BundleException {

  private static final long serialVersionUID = 1L;

  /** Why the bundle was refused. */
  public enum Reason { UNSIGNED, UNKNOWN_KEY, BAD_SIGNATURE, DIGEST_MISMATCH }

  private final Reason reason;

  public UntrustedBundleException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
