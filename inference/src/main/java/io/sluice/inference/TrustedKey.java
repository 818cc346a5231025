package io.sluice.inference;

import java.security.PublicKey;
import java.util.Objects;

/**
 * A public key a gateway trusts to sign model bundles.
 *
 * @param keyId the key's fingerprint ({@link BundleKeys#keyId}), which signatures name
 * @param key an Ed25519 public key
 * @param source where it came from (a file path, or {@code inline}), for error messages
 */
public record TrustedKey(String keyId, PublicKey key, String source) {

  public TrustedKey {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(source, "source");
  }

  /** A trusted key with its fingerprint computed. */
  public static TrustedKey of(PublicKey key, String source) {
    return new TrustedKey(BundleKeys.keyId(key), key, source);
  }

  @Override
  public String toString() {
    return keyId + " (" + source + ")";
  }
}
