package io.sluice.inference;

import java.util.Optional;

/**
 * Why a bundle was accepted ({@link ModelBundle#verify(TrustPolicy)}).
 *
 * @param bundleId {@code name@version}
 * @param reference where it was loaded from
 * @param digest its digest, {@code sha256:...}; null only for {@link #unsignedFolder}
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

  /**
   * A model folder without a manifest (an Optimum export, say) accepted because the policy allows
   * unsigned models: there is nothing to hash or sign, so it has no digest.
   *
   * @param modelId the id the model goes by, e.g. {@code ner@export}
   * @param reference the folder it was loaded from
   */
  public static BundleVerification unsignedFolder(String modelId, String reference) {
    return new BundleVerification(modelId, reference, null, Trust.UNSIGNED_ALLOWED,
        Optional.empty());
  }

  /** The signer's key id, or a word for why there is none. */
  public String signerId() {
    return signer.map(TrustedKey::keyId).orElse(trust == Trust.SHIPPED ? "shipped" : "unsigned");
  }
}
