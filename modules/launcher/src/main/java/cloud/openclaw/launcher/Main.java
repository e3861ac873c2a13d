package cloud.openclaw.launcher;

import cloud.openclaw.platform.config.ConfigurationException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./openclaw-cloud dev}: every service in one JVM, with embedded PostgreSQL and Redis unless
 * OPENCLAW_DB_URL / OPENCLAW_REDIS_URL name real ones. Data lives in {@code .openclaw-dev} of the
 * working directory. Ctrl-C stops everything. With {@code keys} or {@code reseal} as its argument:
 * the key rotation commands of {@link KeyCommand} instead.
 */
public final class Main {
  static final Path DEV_HOME = Path.of(".openclaw-dev");

  private Main() {}

  public static void main(String[] args) throws InterruptedException {
    if (args.length > 0 && KeyCommand.handles(args[0])) {
      keyCommand(args[0]);
      return;
    }
    try {
      DevConsole.install(System.getenv());
    } catch (ConfigurationException e) {
      System.err.println("openclaw-cloud dev: configuration error: " + e.getMessage());
      System.exit(2);
    }
    DevLauncher launcher = new DevLauncher(DEV_HOME.toAbsolutePath(), System.getenv(), Map.of());
    // Registered before start: a Ctrl-C while PostgreSQL is still starting stops it too.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  long begin = System.nanoTime();
                  System.out.println("openclaw-cloud dev: stopping");
                  launcher.close();
                  System.out.printf(
                      Locale.ROOT,
                      "openclaw-cloud dev: stopped (%.1f s)%n",
                      (System.nanoTime() - begin) / 1e9);
                },
                "openclaw-dev-stop"));
    try {
      launcher.start();
    } catch (DevLauncher.Stopped e) {
      return;
    } catch (ConfigurationException e) {
      System.err.println("openclaw-cloud dev: configuration error: " + e.getMessage());
      System.exit(2);
    } catch (RuntimeException e) {
      System.err.println("openclaw-cloud dev: could not start: " + e.getMessage());
      e.printStackTrace();
      System.exit(1);
    }
    System.out.print(launcher.summary());
    launcher.awaitStop();
  }

  private static void keyCommand(String command) {
    int status;
    try {
      status = KeyCommand.run(command, System.getenv(), System.out);
    } catch (ConfigurationException e) {
      System.err.println("openclaw-cloud " + command + ": configuration error: " + e.getMessage());
      status = 2;
    } catch (RuntimeException e) {
      System.err.println("openclaw-cloud " + command + ": failed: " + e.getMessage());
      status = 1;
    }
    System.exit(status);
  }
}
