package io.sluice.inference.internal;

import java.nio.file.Path;

/**
 * Where DJL puts its native tokenizer library.
 *
 * <p>DJL extracts {@code libtokenizers} from its jar into a cache folder, by default
 * {@code ~/.djl.ai}. A gateway should own its files, so before DJL first loads we point
 * {@code DJL_CACHE_DIR} at {@code <sluice.home>/native/djl} (system property {@code sluice.home},
 * else {@code .sluice} in the working directory), unless the user already set
 * {@code DJL_CACHE_DIR} or {@code ENGINE_CACHE_DIR}. DJL's usage tracking is switched off and it
 * is put in offline mode: nothing is downloaded at run time.
 */
public final class DjlNatives {

  private static volatile boolean configured;

  private DjlNatives() {}

  /** Sets DJL's cache folder and offline mode once per process, before DJL loads. */
  public static synchronized void configure() {
    if (configured) {
      return;
    }
    if (System.getenv("DJL_CACHE_DIR") == null && System.getProperty("DJL_CACHE_DIR") == null
        && System.getenv("ENGINE_CACHE_DIR") == null
        && System.getProperty("ENGINE_CACHE_DIR") == null) {
      System.setProperty("DJL_CACHE_DIR", cacheDir().toString());
    }
    setIfAbsent("OPT_OUT_TRACKING", "true");
    setIfAbsent("ai.djl.offline", "true");
    configured = true;
  }

  /** The folder DJL's natives go to when the user did not choose one. */
  public static Path cacheDir() {
    String home = System.getProperty("sluice.home");
    Path base = home == null ? Path.of(".sluice") : Path.of(home);
    return base.resolve("native").resolve("djl").toAbsolutePath();
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null && System.getenv(key) == null) {
      System.setProperty(key, value);
    }
  }
}
