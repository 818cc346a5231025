package io.sluice.lab.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.lab.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Texts the simulated fleet sends: real maintenance work orders from MaintIE when
 * {@code ../shared/data/maintie/train.json} is present, else a small sample written for Sluice.
 */
public final class DemoTexts {

  private static final List<String> SAMPLE = List.of(
      "breaker tripped on line 3 after restart",
      "bearing noise on feed pump 2",
      "replace hydraulic hose on press 4",
      "oil leak under gearbox of conveyor 7",
      "coolant temperature alarm on lathe 9",
      "vibration high on extraction fan motor",
      "inspect worn belt on packing machine",
      "pressure drop in air line to station 5",
      "motor overheating, smell of burning insulation",
      "change filter on hydraulic power unit",
      "sensor cable damaged near welding cell",
      "robot arm stops mid cycle, error 217",
      "lubricate chain drive on oven conveyor",
      "valve sticking open on cooling circuit",
      "emergency stop button cracked, replace",
      "pump seal leaking water onto floor",
      "tighten loose guard on saw blade",
      "calibrate load cell on filling station",
      "compressor trips on high discharge temperature",
      "light curtain faulty on press 1",
      "replace fuse in control cabinet 3",
      "grease nipple missing on idler roller",
      "hydraulic oil level low on press 6",
      "encoder fault on spindle drive");

  private DemoTexts() {}

  /** The texts, and where they came from. */
  public record Texts(List<String> texts, String origin) {}

  public static Texts load() {
    Optional<Path> maintie = SharedData.resolve("data/maintie/train.json");
    if (maintie.isPresent()) {
      try {
        JsonNode root = new ObjectMapper().readTree(maintie.get().toFile());
        List<String> texts = new ArrayList<>();
        root.forEach(doc -> {
          JsonNode text = doc.get("text");
          if (text != null && text.isTextual() && !text.textValue().isBlank()) {
            texts.add(text.textValue());
          }
        });
        if (!texts.isEmpty()) {
          return new Texts(List.copyOf(texts), "MaintIE work orders (" + maintie.get() + ")");
        }
      } catch (IOException e) {
        // fall back to the built-in sample
      }
    }
    return new Texts(SAMPLE, "built-in sample");
  }
}
