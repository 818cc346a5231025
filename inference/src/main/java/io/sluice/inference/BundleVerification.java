package io.sluice.inference;

import java.util.Optional;

/**
 * Why a bundle was accepted ({@link ModelBundle#verify(TrustPolicy)}).
 *
 * @param bundleId {@code name@version}
 * @param reference where it was loaded from
 * @param digest its digest, {@code sha256:...}
 * @param trust how it earned trust
 * @param signer the trusted key that signed it, when {@link Trust#SIGNED}
 */
public record BundleVerification(String bundleId, String reference, String digest, Trust trust,
    Optional<TrustedKey> signer) {

  /** How a bundle earned trust. */
  public enum Trust {
    /** Signed by a trusted key, and the signature matches the manifest. */
    SIGNED,
    /** A classpath bundle, trusted as shipped with Sluice. */
    SHIPPED,
    /** Not signed, accepted because the policy allows unsigned bundles (development). */
    UNSIGNED_ALLOWED
  }

  /** The signer's key id, or a word for why there is none. */
  public String signerId() {
    return signer.map(TrustedKey::keyId).orElse(trust == Trust.SHIPPED ? "shipped" : "unsigned");
  }
}
