package cloud.openclaw.api.web;

import cloud.openclaw.platform.config.ConfigurationException;
import cloud.openclaw.platform.config.Settings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The web app's keys ({@code api.web.*}): where its built files are ({@code dir}; empty: the jar's
 * class path under {@code web/}) and the onboarding setup bot's link the landing page offers
 * ({@code setup-bot-url}; empty: none).
 */
public record WebSettings(Path dir, URI setupBotUrl) {

  public static WebSettings from(Settings settings) {
    String dir = settings.optionalString("api.web.dir");
    if (!dir.isEmpty() && !Files.isDirectory(Path.of(dir))) {
      throw new ConfigurationException("api.web.dir", "'" + dir + "' is not a directory");
    }
    String bot = settings.optionalUri("api.web.setup-bot-url", "http", "https");
    return new WebSettings(
        dir.isEmpty() ? null : Path.of(dir), bot.isEmpty() ? null : URI.create(bot));
  }

  /** The built files: the directory when one is set, else the class path. */
  public WebFiles files() {
    return dir == null
        ? WebFiles.classpath(WebSettings.class.getClassLoader())
        : WebFiles.directory(dir);
  }
}
