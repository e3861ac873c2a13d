package cloud.openclaw.operator.runtime;

import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxRuntime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Where boxes' gateways run: a Kubernetes cluster ({@code KubernetesRuntime}) or child processes on
 * this machine ({@code LocalGatewayRuntime}). The job handler and the reconciler speak only this
 * interface and pick the implementation by the box's {@link BoxRuntime} (boxes.runtime). Every
 * method is idempotent and safe to repeat after a crash half-way.
 */
public interface GatewayRuntime {

  /** The value of boxes.runtime this runtime serves. */
  BoxRuntime kind();

  /**
   * The secrets written for the box by an earlier {@link #apply}, by their keys ({@link
   * BoxResources#PROXY_TOKEN_KEY}, {@link BoxResources#GATEWAY_TOKEN_KEY}, {@link
   * BoxResources#BOT_TOKEN_KEY}); empty when nothing was written. The proxy token's plaintext is
   * kept only there.
   */
  Map<String, String> storedSecrets(Box box);

  /**
   * Writes everything the box's gateway needs (its config rendered from the box and these secrets)
   * and has the gateway run when the box's desired state is running, stopped otherwise.
   *
   * @return true when this call (re)started the gateway with this config, so that no further {@link
   *     #restart} is needed for it to take effect; false when the runtime cannot tell
   */
  boolean apply(Box box, BoxResources.Secrets secrets);

  /**
   * Starts ({@code running}) or stops the box's gateway, keeping everything else.
   *
   * @return false when nothing was ever applied for the box
   */
  boolean scale(Box box, boolean running);

  /**
   * Restarts the box's gateway so that it reads its config again.
   *
   * @return false when nothing was ever applied for the box
   */
  boolean restart(Box box);

  /** True once the gateway has been placed and is on its way up (a pod scheduled, a process). */
  boolean isScheduled(Box box);

  /** True when the gateway serves: its /startupz answers (probe or direct check). */
  boolean isAvailable(Box box);

  /** Stops the gateway and deletes everything of the box; nothing when it is already gone. */
  void delete(Box box);

  /**
   * Every box this runtime holds something of: the reconciler's view, in a bounded number of calls
   * whatever the number of boxes. May adopt what an earlier operator process left running.
   */
  List<Placed> list();

  /** Deletes what {@link #list} found of a box whose row is gone or destroyed. */
  void delete(Placed placed);

  /** The Kubernetes namespace to record on the box (boxes.namespace); empty for other runtimes. */
  default Optional<String> namespace(Box box) {
    return Optional.empty();
  }

  /**
   * What a runtime holds of one box.
   *
   * @param boxId the box
   * @param location its namespace or directory
   * @param terminating already being deleted: left alone
   * @param running the gateway is up or on its way (a Deployment with a replica, a live process): a
   *     running box without it has vanished, a suspended box with it still runs
   * @param settingsHash the {@link AppliedSettings} the gateway was last applied with; null when
   *     unknown (nothing applied, or applied before the runtime recorded it)
   */
  record Placed(
      UUID boxId, String location, boolean terminating, boolean running, String settingsHash) {}
}
