package io.sluice.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/embedding.md shows a user's service that embeds a gateway. This test takes the Java code
 * and the pom from that page as they are written, compiles the code against this module's class
 * path (the runtime and what it brings, as the pom's one Sluice dependency would) and runs it on
 * the demo topology with embedded brokers.
 */
class EmbeddingExampleIT {

  private static final Path PAGE = Path.of("..", "docs", "embedding.md");

  @TempDir Path work;

  @Test
  void theExampleOnThePageCompilesAndRunsAGateway() throws Exception {
    String page = Files.readString(PAGE, StandardCharsets.UTF_8);
    String java = block(page, "java");
    Matcher className = Pattern.compile("public final class (\\w+)").matcher(java);
    assertThat(className.find()).as("a public class in the example").isTrue();
    Matcher packageName = Pattern.compile("package ([\\w.]+);").matcher(java);
    assertThat(packageName.find()).isTrue();
    Path source = work.resolve("src").resolve(packageName.group(1).replace('.', '/'))
        .resolve(className.group(1) + ".java");
    Files.createDirectories(source.getParent());
    Files.writeString(source, java, StandardCharsets.UTF_8);
    Path classes = Files.createDirectories(work.resolve("classes"));

    JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int compiled = compiler.run(null, diagnostics, diagnostics, "-d", classes.toString(),
        "-cp", classPath(), "--release", "17", source.toString());
    assertThat(compiled).as(diagnostics.toString(StandardCharsets.UTF_8)).isZero();

    Path topology = work.resolve("gateway.yaml");
    Files.copy(Path.of("..", "edge-configs", "demo.yaml"), topology);
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    PrintStream out = System.out;
    try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
        getClass().getClassLoader())) {
      Method main = loader.loadClass(packageName.group(1) + "." + className.group(1))
          .getMethod("main", String[].class);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      main.invoke(null, (Object) new String[] {topology.toString(),
          work.resolve("state").toString()});
    } finally {
      System.setOut(out);
    }
    String said = printed.toString(StandardCharsets.UTF_8);
    assertThat(said).contains("gateway demo up: true").contains("streams: RUNNING")
        .contains("mqtt: CONNECTED").containsPattern("meters: [1-9]");
    assertThat(work.resolve("state")).isDirectory();
  }

  @Test
  void thePomOnThePageNamesThisModuleAtThisVersion() throws Exception {
    String pom = block(Files.readString(PAGE, StandardCharsets.UTF_8), "xml");
    String ours = Files.readString(Path.of("pom.xml"), StandardCharsets.UTF_8);
    Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL)
        .matcher(ours);
    assertThat(version.find()).isTrue();
    assertThat(pom).containsPattern("<groupId>io\\.sluice</groupId>\\s*"
        + "<artifactId>sluice-runtime</artifactId>\\s*<version>"
        + Pattern.quote(version.group(1)) + "</version>");
    assertThat(ours).contains("<artifactId>sluice-runtime</artifactId>");
  }

  /** The first fenced block of this language. */
  private static String block(String page, String language) {
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(page);
    assertThat(m.find()).as("a ```" + language + " block in docs/embedding.md").isTrue();
    return m.group(1);
  }

  private static String classPath() {
    String surefire = System.getProperty("surefire.test.class.path");
    String path = surefire != null ? surefire : System.getProperty("java.class.path");
    return String.join(java.io.File.pathSeparator, List.of(path.split(java.io.File.pathSeparator))
        .stream().filter(entry -> !entry.contains("test-classes")).toList());
  }
}
