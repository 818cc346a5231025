package io.sluice.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.topology.TopologyLoader;
import io.sluice.topology.spec.TopologySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The files under docker/ hold together without a Docker engine: the compose file names the
 * services and build targets the Dockerfile has, the images run as a non-root user, the topologies
 * the images run are valid, Prometheus scrapes every Sluice service with the admin token the
 * services read, and every metric the Grafana dashboard queries is one Sluice exports. Where a
 * compose client is installed, {@code docker compose config} must accept the file too.
 */
class DeploymentFilesTest {

  static final Path DOCKER = Path.of("..", "docker");

  @Test
  @SuppressWarnings("unchecked")
  void composeDockerfileAndConfigsAgree() throws Exception {
    Map<String, Object> compose = yaml(DOCKER.resolve("compose.yaml"));
    Map<String, Map<String, Object>> services =
        (Map<String, Map<String, Object>>) compose.get("services");
    assertThat(services).containsKeys("mosquitto", "kafka", "gateway", "cloud", "prometheus",
        "grafana");
    Map<String, Object> kafka = (Map<String, Object>) services.get("kafka").get("environment");
    assertThat(kafka.get("KAFKA_PROCESS_ROLES").toString()).contains("controller");
    assertThat(kafka.keySet()).noneMatch(k -> k.contains("ZOOKEEPER"));

    String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
    for (String tier : List.of("gateway", "cloud")) {
      Map<String, Object> build = (Map<String, Object>) services.get(tier).get("build");
      assertThat(build.get("dockerfile")).isEqualTo("docker/Dockerfile");
      assertThat(dockerfile).containsPattern("(?m)^FROM \\S+ AS " + build.get("target") + "$");
      assertThat((List<String>) services.get(tier).get("secrets")).contains("admin_token");
      assertThat(((Map<String, Object>) services.get(tier).get("environment"))
          .get("SLUICE_ADMIN_TOKEN_FILE")).isEqualTo("/run/secrets/admin_token");
    }
    assertThat(dockerfile).containsPattern("(?m)^FROM eclipse-temurin:17-jre AS runtime$");
    Matcher user = Pattern.compile("(?m)^USER (\\S+)$").matcher(dockerfile);
    assertThat(user.find()).as("a USER line").isTrue();
    assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(\\S+) ").matcher(dockerfile);
    while (copy.find()) {
      assertThat(Path.of("..", copy.group(1))).as("COPY source %s", copy.group(1)).exists();
    }

    TopologyLoader loader = new TopologyLoader(name -> null);
    Matcher topology = Pattern.compile("\"run\", \"/etc/sluice/([a-z]+\\.yaml)\"")
        .matcher(dockerfile);
    List<String> run = new ArrayList<>();
    while (topology.find()) {
      TopologySpec spec = loader.load(DOCKER.resolve("config").resolve(topology.group(1)));
      run.add(spec.kind().name());
    }
    assertThat(run).containsExactly("GATEWAY", "CLOUD");
  }

  @Test
  @SuppressWarnings("unchecked")
  void prometheusScrapesEverySluiceServiceWithTheToken() throws Exception {
    Map<String, Object> prometheus = yaml(DOCKER.resolve("prometheus/prometheus.yml"));
    Set<String> targets = new HashSet<>();
    for (Map<String, Object> job : (List<Map<String, Object>>) prometheus.get("scrape_configs")) {
      Map<String, Object> auth = (Map<String, Object>) job.get("authorization");
      assertThat(auth.get("type")).isEqualTo("Bearer");
      assertThat(auth.get("credentials_file")).isEqualTo("/run/secrets/admin_token");
      assertThat(job.get("metrics_path")).isEqualTo("/metrics");
      for (Map<String, Object> c : (List<Map<String, Object>>) job.get("static_configs")) {
        targets.addAll((List<String>) c.get("targets"));
      }
    }
    assertThat(targets).containsExactlyInAnyOrder("gateway:8080", "cloud:8080");
    Map<String, Object> compose = yaml(DOCKER.resolve("compose.yaml"));
    Map<String, Object> prometheusService = ((Map<String, Map<String, Object>>)
        compose.get("services")).get("prometheus");
    assertThat((List<String>) prometheusService.get("secrets")).contains("admin_token");
  }

  @Test
  void theGrafanaDashboardQueriesOnlyMetricsSluiceExports() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(
        DOCKER.resolve("grafana/dashboards/sluice.json").toFile());
    Set<String> exported = MetricsReference.prometheusNames();
    List<String> queried = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(panel.at("/datasource/uid").asText()).isEqualTo("sluice-prometheus");
      for (JsonNode target : panel.get("targets")) {
        Matcher m = Pattern.compile("sluice_[a-z_]+").matcher(target.get("expr").asText());
        while (m.find()) {
          queried.add(m.group().replaceFirst("_(bucket|sum|count)$", ""));
        }
      }
    }
    assertThat(queried).isNotEmpty();
    assertThat(exported).containsAll(queried);
    Map<String, Object> datasources = yaml(DOCKER.resolve(
        "grafana/provisioning/datasources/prometheus.yaml"));
    assertThat(datasources.toString()).contains("uid=sluice-prometheus",
        "url=http://prometheus:9090");
  }

  @Test
  void composeConfigAcceptsTheFile() throws Exception {
    List<String> client = composeClient();
    assumeTrue(!client.isEmpty(), "Skipped: neither 'docker compose' nor 'docker-compose' works"
        + " here");
    List<String> command = new ArrayList<>(client);
    command.addAll(List.of("-f", DOCKER.resolve("compose.yaml").toString(), "config", "-q"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("GRAFANA_ADMIN_PASSWORD", "validation-only");
    Process p = builder.start();
    String output = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
  }

  private static List<String> composeClient() throws Exception {
    for (List<String> candidate : List.of(List.of("docker", "compose"),
        List.of("docker-compose"))) {
      boolean onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
          .anyMatch(d -> Files.isExecutable(Path.of(d, candidate.get(0))));
      if (!onPath) {
        continue;
      }
      List<String> version = new ArrayList<>(candidate);
      version.add("version");
      Process p = new ProcessBuilder(version).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return candidate;
      }
    }
    return List.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws Exception {
    return new Yaml().loadAs(Files.readString(file), Map.class);
  }
}
