package io.sluice.inference.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.sluice.inference.BundleException;
import io.sluice.inference.BundleManifest;
import java.util.Map;

/**
 * The bytes a bundle's digest and signature cover: the manifest without its {@code signature},
 * as JSON with the keys of every object sorted, no whitespace, UTF-8. The manifest is parsed into
 * its record first (unknown keys are refused), so two files that say the same thing in another
 * layout have the same canonical bytes, and the bytes cover every file's SHA-256.
 */
public final class CanonicalManifest {

  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .disable(SerializationFeature.INDENT_OUTPUT)
      .build();

  private CanonicalManifest() {}

  public static byte[] bytes(BundleManifest manifest) {
    Map<String, Object> tree = Json.MAPPER.convertValue(manifest,
        new TypeReference<Map<String, Object>>() {});
    tree.remove("signature");
    try {
      // Nested objects convert to maps too, so every level is written with sorted keys.
      return CANONICAL.writeValueAsBytes(tree);
    } catch (JsonProcessingException e) {
      throw new BundleException("Cannot write the canonical manifest of " + manifest.id(), e);
    }
  }

  /** {@code sha256:} and the lower-case hex SHA-256 of {@link #bytes}. */
  public static String digest(BundleManifest manifest) {
    return "sha256:" + Sha256.hex(bytes(manifest));
  }
}
