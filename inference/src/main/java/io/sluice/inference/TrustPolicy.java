package io.sluice.inference;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a gateway accepts as a model bundle, checked by {@link ModelBundle#verify(TrustPolicy)}.
 *
 * <ul>
 *   <li>{@code digest}: when present, the bundle's digest ({@link ModelBundle#digest()}) must be
 *       exactly this; it pins the manifest and, through it, every file's SHA-256.
 *   <li>{@code trustedKeys}: a signed bundle must be signed by one of these keys, and the
 *       signature must match the manifest.
 *   <li>{@code allowUnsigned}: for development only, an unsigned bundle is accepted. A bundle with
 *       a signature that does not verify is refused even then.
 * </ul>
 *
 * <p>Bundles loaded from the classpath ({@code classpath:NAME}) are trusted as shipped: their
 * manifests, with the SHA-256 of every file, are compiled into the Sluice jar, so they are as
 * trustworthy as the code that would check them. A digest pin still applies to them.
 */
public record TrustPolicy(List<TrustedKey> trustedKeys, Optional<String> digest,
    boolean allowUnsigned) {

  /** The form of a digest: {@code sha256:} and 64 lower-case hex digits. */
  public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  public TrustPolicy {
    trustedKeys = List.copyOf(trustedKeys);
    Objects.requireNonNull(digest, "digest");
    digest.ifPresent(d -> {
      if (!DIGEST.matcher(d).matches()) {
        throw new IllegalArgumentException("digest: expected sha256: and 64 lower-case hex"
            + " digits, got '" + d + "'");
      }
    });
  }

  /** Only bundles signed by one of {@code keys} (and shipped classpath bundles). */
  public static TrustPolicy signedBy(List<TrustedKey> keys) {
    return new TrustPolicy(keys, Optional.empty(), false);
  }

  /** Development: unsigned bundles pass; signed ones must still verify against the keys. */
  public static TrustPolicy allowingUnsigned(List<TrustedKey> keys) {
    return new TrustPolicy(keys, Optional.empty(), true);
  }

  /** This policy, also pinning the bundle's digest. */
  public TrustPolicy pinning(String bundleDigest) {
    return new TrustPolicy(trustedKeys, Optional.of(bundleDigest), allowUnsigned);
  }

  /** The trusted key with this id, if any. */
  public Optional<TrustedKey> key(String keyId) {
    return trustedKeys.stream().filter(k -> k.keyId().equals(keyId)).findFirst();
  }
}
