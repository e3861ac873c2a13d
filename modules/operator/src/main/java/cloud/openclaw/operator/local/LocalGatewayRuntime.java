package cloud.openclaw.operator.local;

import cloud.openclaw.operator.gateway.GatewayModel;
import cloud.openclaw.operator.gateway.WorkspaceFiles;
import cloud.openclaw.operator.kubernetes.BoxResources;
import cloud.openclaw.operator.runtime.AppliedSettings;
import cloud.openclaw.operator.runtime.GatewayRuntime;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.BoxDesiredState;
import cloud.openclaw.platform.domain.BoxRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The job handler's and the reconciler's view of {@link LocalRuntime}: a box's gateway as a child
 * process on this machine, its config and secrets in the box's directory.
 */
public final class LocalGatewayRuntime implements GatewayRuntime {
  /** In the box's directory: the {@link AppliedSettings} of the config last written. */
  static final String APPLIED_SETTINGS_FILE = "applied-settings";

  private final LocalRuntime processes;
  private final String tokenProxyBaseUrl;
  private final Optional<String> telegramApiRoot;
  private final WorkspaceArchives workspaces;

  /**
   * The customers' workspaces are archived in {@code <dataDir>/workspace-archives}.
   *
   * @param tokenProxyBaseUrl the token proxy as the gateways call it, ending in /v1
   * @param telegramApiRoot a Bot API root (the sandbox's /telegram); empty for the real Telegram
   */
  public LocalGatewayRuntime(
      LocalRuntime processes, String tokenProxyBaseUrl, Optional<String> telegramApiRoot) {
    this(
        processes,
        tokenProxyBaseUrl,
        telegramApiRoot,
        new WorkspaceArchives(processes.dataDir().resolve("workspace-archives")));
  }

  /**
   * @param workspaces where a destroyed box's workspace goes, and a new box's comes from
   */
  public LocalGatewayRuntime(
      LocalRuntime processes,
      String tokenProxyBaseUrl,
      Optional<String> telegramApiRoot,
      WorkspaceArchives workspaces) {
    this.processes = processes;
    this.tokenProxyBaseUrl = tokenProxyBaseUrl;
    this.telegramApiRoot = telegramApiRoot;
    this.workspaces = workspaces;
  }

  public LocalGatewayRuntime(LocalRuntime processes, LocalSettings settings) {
    this(processes, settings.tokenProxyBaseUrl(), settings.telegramApiRoot());
  }

  public LocalRuntime processes() {
    return processes;
  }

  @Override
  public BoxRuntime kind() {
    return BoxRuntime.LOCAL;
  }

  /** The box directory's secret files, named like the keys of the Kubernetes Secret. */
  @Override
  public Map<String, String> storedSecrets(Box box) {
    return processes.storedSecrets(box.id());
  }

  @Override
  public boolean apply(Box box, BoxResources.Secrets secrets) {
    LocalBox spec =
        new LocalBox(
            box.id(),
            secrets.botToken(),
            box.allowedTelegramUserIds(),
            GatewayModel.kimi(box.model()),
            box.thinkingLevel(),
            tokenProxyBaseUrl,
            secrets.proxyToken(),
            telegramApiRoot,
            Optional.of(secrets.gatewayToken()),
            WorkspaceFiles.section(box));
    // A new box of a customer whose earlier box was destroyed starts with that box's memory.
    workspaces.restoreInto(box.customerId(), processes.workspaceDir(box.id()));
    boolean restarted;
    if (box.desiredState() == BoxDesiredState.RUNNING) {
      restarted = processes.start(spec);
    } else {
      processes.stop(box.id());
      processes.prepare(spec);
      restarted = false;
    }
    writeAppliedSettings(box);
    return restarted;
  }

  /** The {@link AppliedSettings} of what was just applied, in the box's directory. */
  private void writeAppliedSettings(Box box) {
    try {
      Files.writeString(
          processes.boxDir(box.id()).resolve(APPLIED_SETTINGS_FILE), AppliedSettings.of(box));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the applied settings of box " + box.id(), e);
    }
  }

  private Optional<String> appliedSettings(UUID boxId) {
    try {
      return Optional.of(
          Files.readString(processes.boxDir(boxId).resolve(APPLIED_SETTINGS_FILE)).strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean scale(Box box, boolean running) {
    return running ? processes.resume(box.id()) : processes.stop(box.id());
  }

  @Override
  public boolean restart(Box box) {
    return processes.restart(box.id());
  }

  /** The process runs: there is no queue to wait in on one machine. */
  @Override
  public boolean isScheduled(Box box) {
    return processes.isRunning(box.id());
  }

  @Override
  public boolean isAvailable(Box box) {
    return processes.isStarted(box.id());
  }

  /** Archives the box's workspace for the customer's next box, then removes the box. */
  @Override
  public void delete(Box box) {
    processes.stop(box.id());
    workspaces.save(box.customerId(), processes.workspaceDir(box.id()));
    processes.destroy(box.id());
  }

  /**
   * Every box directory, after adopting live gateways an earlier operator left behind: running
   * while its process lives, with the settings it was last applied with.
   */
  @Override
  public List<Placed> list() {
    processes.adopt();
    return processes.boxIds().stream()
        .map(
            id ->
                new Placed(
                    id,
                    processes.boxDir(id).toString(),
                    false,
                    processes.isRunning(id),
                    appliedSettings(id).orElse(null)))
        .toList();
  }

  @Override
  public void delete(Placed placed) {
    processes.destroy(placed.boxId());
  }
}
