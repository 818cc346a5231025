/**
 * Runs a Sluice topology file inside a Java process.
 *
 * <p><b>The API:</b> {@link io.sluice.runtime.Sluice} loads and validates a file and starts it;
 * {@link io.sluice.runtime.Gateway} is the running topology (its {@link io.sluice.runtime.Health},
 * its meter registry, graceful {@code close()}). {@link io.sluice.runtime.admin.AdminSettings}
 * configures the optional admin server. See {@code docs/embedding.md}.
 *
 * <p><b>Lower level,</b> for the command line and the lab, and free to change between
 * versions: {@link io.sluice.runtime.TopologyRuntime} (start a topology with models of your own),
 * {@link io.sluice.runtime.Models}, {@link io.sluice.runtime.FeedbackLearner},
 * {@link io.sluice.runtime.RuntimeOptions}, {@link io.sluice.runtime.AppMeters}, and the
 * command-line conventions in {@code io.sluice.runtime.cli}.
 */
package io.sluice.runtime;
