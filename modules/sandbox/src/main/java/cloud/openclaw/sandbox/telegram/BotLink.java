package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.errors.InvalidInputException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A link that opens a chat with a bot, as Telegram's apps read it: {@code https://t.me/<username>}
 * (or telegram.me, with or without the scheme) or {@code tg://resolve?domain=<username>}, with an
 * optional {@code start=<payload>}.
 *
 * @param username the bot's username
 * @param startPayload the start parameter, or null
 */
record BotLink(String username, String startPayload) {

  static BotLink parse(String url) {
    if (url == null || url.isBlank()) {
      throw invalid(url);
    }
    String text = url.strip();
    if (!text.contains("://")) {
      text = "https://" + text;
    }
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw invalid(url);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    String username;
    if (scheme.equals("tg")) {
      if (!"resolve".equalsIgnoreCase(uri.getHost())) {
        throw invalid(url);
      }
      username = query(uri, "domain");
    } else if (scheme.equals("https") || scheme.equals("http")) {
      String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
      if (!host.equals("t.me") && !host.equals("telegram.me") && !host.equals("www.t.me")) {
        throw invalid(url);
      }
      String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+|/+$", "");
      username = path.contains("/") ? null : path;
    } else {
      throw invalid(url);
    }
    if (username == null || !TelegramSettings.USERNAME.matcher(username).matches()) {
      throw invalid(url);
    }
    return new BotLink(username, query(uri, "start"));
  }

  private static String query(URI uri, String name) {
    String query = uri.getRawQuery();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static InvalidInputException invalid(String url) {
    return new InvalidInputException(
        "url", "not a link to a bot (https://t.me/<bot>?start=<payload>): '" + url + "'");
  }
}
