package io.sluice.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module boundaries, checked on the compiled main classes of every module (this module's
 * test class path holds them all): no module reaches into another's {@code internal} packages,
 * a module uses only the modules its pom brings in (directly or through them), and every Sluice
 * module a pom declares is used.
 */
class ModuleBoundariesTest {

  private static JavaClasses classes;
  private static Map<String, Set<String>> modules;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.sluice");
    modules = Reactor.modules();
  }

  @Test
  void theReactorHasTheModulesOfTheDesign() {
    assertThat(modules.keySet()).containsExactly("schemas", "inference", "operators", "topology",
        "connectors", "runtime", "lab", "app");
    for (String module : modules.keySet()) {
      assertThat(classes.stream().anyMatch(c -> inModule(c, module)))
          .as("classes of %s imported", module).isTrue();
    }
  }

  @Test
  void noModuleUsesAnotherModulesInternals() {
    for (String module : modules.keySet()) {
      String root = Reactor.packageOf(module);
      noClasses().that().resideOutsideOfPackage(root + "..")
          .should().dependOnClassesThat().resideInAPackage(root + "..internal..")
          .as("Only " + module + " itself uses " + root + "..internal")
          .check(classes);
    }
  }

  @Test
  void modulesUseOnlyWhatTheirPomsBringIn() {
    for (String module : modules.keySet()) {
      Set<String> allowed = Reactor.reachable(modules, module);
      String[] forbidden = modules.keySet().stream()
          .filter(other -> !other.equals(module) && !allowed.contains(other))
          .map(other -> Reactor.packageOf(other) + "..")
          .toArray(String[]::new);
      if (forbidden.length == 0) {
        continue;
      }
      noClasses().that().resideInAPackage(Reactor.packageOf(module) + "..")
          .should().dependOnClassesThat().resideInAnyPackage(forbidden)
          .as(module + " depends only on " + allowed + " (its pom, followed down)")
          .check(classes);
    }
  }

  @Test
  void everyDeclaredModuleDependencyIsUsed() {
    List<String> unused = new ArrayList<>();
    modules.forEach((module, declared) -> {
      for (String dependency : declared) {
        boolean used = classes.stream().filter(c -> inModule(c, module))
            .flatMap(c -> c.getDirectDependenciesFromSelf().stream())
            .map(Dependency::getTargetClass)
            .anyMatch(target -> inModule(target, dependency));
        if (!used) {
          unused.add(module + " declares sluice-" + dependency + " but no class of it uses one");
        }
      }
    });
    assertThat(unused).isEmpty();
  }

  private static boolean inModule(JavaClass c, String module) {
    String root = Reactor.packageOf(module);
    return c.getPackageName().equals(root) || c.getPackageName().startsWith(root + ".");
  }
}
