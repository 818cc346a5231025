package io.sluice.topology;

import io.sluice.topology.spec.Pipeline;
import io.sluice.topology.spec.RouteRule;
import io.sluice.topology.spec.Source;
import io.sluice.topology.spec.Step;
import io.sluice.topology.spec.Topics;
import io.sluice.topology.spec.TopologySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Renders a topology as a readable graph: indented text, or a Mermaid flowchart. */
public final class TopologyDescriber {

  private TopologyDescriber() {}

  public static String text(TopologySpec spec) {
    Topics topics = spec.topics();
    StringBuilder out = new StringBuilder();
    out.append(spec.kind() == TopologySpec.Kind.GATEWAY ? "Gateway " : "Cloud ")
        .append(spec.metadata().name()).append(" (namespace ").append(spec.metadata().namespace())
        .append(", MQTT ").append(spec.brokers().mqtt().url()).append(", Kafka ")
        .append(spec.brokers().kafka().bootstrap()).append(")\n");
    spec.models().values().forEach(m -> out.append("  model ").append(m.name()).append(": ")
        .append(m.bundle()).append(", ").append(m.threads()).append(" threads\n"));
    for (Source source : spec.sources()) {
      out.append("  source ").append(source.name()).append(": ").append(origin(source))
          .append(" -> ").append(topics.input(source.name())).append('\n');
      Pipeline p = spec.pipelineFor(source.name()).orElse(null);
      List<String> chain = new ArrayList<>();
      chain.add("decode(" + source.format().name().toLowerCase() + ", "
          + schemaName(source) + ")");
      if (p != null) {
        p.steps().forEach(step -> chain.add(describe(step)));
      }
      chain.add("route");
      out.append("    ").append(p == null ? "(no pipeline)" : "pipeline " + p.name())
          .append(": ").append(String.join(" -> ", chain)).append('\n');
      for (String rule : rules(p, topics)) {
        out.append("      ").append(rule).append('\n');
      }
      out.append("      undecodable -> ").append(topics.deadLetters()).append('\n');
    }
    return out.toString();
  }

  private static String origin(Source source) {
    if (source.isOpcUa()) {
      return "OPC UA " + source.opcua().endpoint() + " (" + source.opcua().nodes().size()
          + " nodes, sampling " + source.opcua().samplingInterval().toMillis() + " ms)";
    }
    return "MQTT '" + source.topic() + "' QoS " + source.qos()
        + (source.isSparkplug() ? " (Sparkplug B host" + source.sparkplug().hostId()
            .map(h -> ", primary host " + h).orElse("") + ")" : "");
  }

  public static String mermaid(TopologySpec spec) {
    Topics topics = spec.topics();
    StringBuilder out = new StringBuilder("flowchart LR\n");
    for (Source source : spec.sources()) {
      String s = id(source.name());
      out.append("  mqtt_").append(s).append("[/\"").append(origin(source).replace("'", ""))
          .append("\"/] --> in_").append(s).append("[(\"").append(topics.input(source.name()))
          .append("\")]\n");
      Pipeline p = spec.pipelineFor(source.name()).orElse(null);
      String previous = "in_" + s;
      String decode = "decode_" + s;
      out.append("  ").append(previous).append(" --> ").append(decode).append("[\"decode ")
          .append(schemaName(source)).append("\"]\n");
      out.append("  ").append(decode).append(" -- bad --> dlq[(\"").append(topics.deadLetters())
          .append("\")]\n");
      previous = decode;
      if (p != null) {
        for (int i = 0; i < p.steps().size(); i++) {
          String node = "step_" + s + "_" + i;
          out.append("  ").append(previous).append(" --> ").append(node).append("[\"")
              .append(describe(p.steps().get(i)).replace("\"", "'")).append("\"]\n");
          previous = node;
        }
      }
      String route = "route_" + s;
      out.append("  ").append(previous).append(" --> ").append(route).append("{route}\n");
      List<RouteRule> rules = p == null || p.route().isEmpty()
          ? List.of(new RouteRule(null, "local", null, 0)) : p.route();
      for (RouteRule rule : rules) {
        String target = targetNode(rule.to(), topics);
        out.append("  ").append(route).append(" -- \"")
            .append(rule.when() == null ? "else" : rule.when().replace("\"", "'"))
            .append("\" --> ").append(target).append('\n');
      }
    }
    return out.toString();
  }

  private static List<String> rules(Pipeline p, Topics topics) {
    List<RouteRule> rules = p == null || p.route().isEmpty()
        ? List.of(new RouteRule(null, "local", null, 0)) : p.route();
    List<String> out = new ArrayList<>();
    for (RouteRule r : rules) {
      out.add((r.when() == null ? "always" : r.when()) + " -> " + r.to() + " ("
          + topicOf(r.to(), topics) + ")");
    }
    return out;
  }

  private static String topicOf(String to, Topics topics) {
    if (to.startsWith("mqtt:")) {
      return topics.alerts() + ", then MQTT " + to.substring(5);
    }
    return switch (to) {
      case "cloud" -> topics.forward();
      case "review" -> topics.review();
      case "drop" -> "dropped, counted";
      default -> topics.results();
    };
  }

  private static String targetNode(String to, Topics topics) {
    if (to.startsWith("mqtt:")) {
      return "alerts[(\"" + topics.alerts() + " / MQTT " + to.substring(5) + "\")]";
    }
    return switch (to) {
      case "cloud" -> "forward[(\"" + topics.forward() + "\")]";
      case "review" -> "review[(\"" + topics.review() + "\")]";
      case "drop" -> "drop((drop))";
      default -> "results[(\"" + topics.results() + "\")]";
    };
  }

  private static String describe(Step step) {
    if (step instanceof Step.Redact r) {
      List<String> all = new ArrayList<>(r.patterns());
      all.addAll(r.custom().keySet());
      return "redact(" + String.join(", ", all) + ")";
    }
    if (step instanceof Step.Classify c) {
      return "classify(model " + c.model() + ", " + (c.labels().isEmpty() ? ""
          : c.labels().size() + " labels") + (c.examplesFile() == null ? ""
          : (c.labels().isEmpty() ? "" : ", ") + "examples " + c.examplesFile()) + ", head "
          + c.head() + ")";
    }
    if (step instanceof Step.Extract e) {
      List<String> all = new ArrayList<>(e.patterns());
      all.addAll(e.custom().keySet());
      all.addAll(e.gazetteers().keySet());
      if (e.model() != null) {
        all.add("model " + e.model() + " (" + e.modelType()
            + (e.trainFile() == null ? "" : ", trained on " + e.trainFile()) + ", level "
            + e.level() + ")");
      }
      return "extract(" + String.join(", ", all) + ")";
    }
    if (step instanceof Step.Novelty n) {
      return "novelty(model " + n.model() + ")";
    }
    if (step instanceof Step.Window w) {
      return "window(" + w.size().toString().substring(2).toLowerCase() + ", " + w.method()
          + (w.threshold() == null ? "" : ", threshold " + w.threshold()) + ")";
    }
    return step.kind();
  }

  private static String schemaName(Source source) {
    return source.schema() == Source.Schema.TEXT_EVENT ? "TextEvent" : "SensorReading";
  }

  private static String id(String name) {
    return name.chars().mapToObj(c -> Character.isLetterOrDigit(c) ? String.valueOf((char) c)
        : "_").collect(Collectors.joining());
  }
}
