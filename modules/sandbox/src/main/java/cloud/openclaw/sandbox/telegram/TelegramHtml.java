package cloud.openclaw.sandbox.telegram;

import cloud.openclaw.platform.http.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Telegram's {@code parse_mode: "HTML"}: the tags it supports become message entities (offsets and
 * lengths in UTF-16 code units, as Telegram counts them) and the text loses them; {@code &lt;},
 * {@code &gt;}, {@code &amp;}, {@code &quot;} and numeric character references are decoded. An
 * unsupported tag, an end tag that does not match, or a tag left open is refused as Telegram
 * refuses it: 400 "Bad Request: can't parse entities: ...".
 */
final class TelegramHtml {
  /** Tag name to entity type; "a", "pre", "code", "span", "blockquote", "tg-emoji" are special. */
  private static final Map<String, String> SIMPLE =
      Map.ofEntries(
          Map.entry("b", "bold"),
          Map.entry("strong", "bold"),
          Map.entry("i", "italic"),
          Map.entry("em", "italic"),
          Map.entry("u", "underline"),
          Map.entry("ins", "underline"),
          Map.entry("s", "strikethrough"),
          Map.entry("strike", "strikethrough"),
          Map.entry("del", "strikethrough"),
          Map.entry("tg-spoiler", "spoiler"),
          Map.entry("code", "code"),
          Map.entry("pre", "pre"),
          Map.entry("a", "text_link"),
          Map.entry("span", "spoiler"),
          Map.entry("blockquote", "blockquote"),
          Map.entry("tg-emoji", "custom_emoji"));

  /** The text without tags and its entities (empty when there are none). */
  record Parsed(String text, ArrayNode entities) {}

  private TelegramHtml() {}

  static Parsed parse(String html) {
    StringBuilder out = new StringBuilder(html.length());
    Deque<Open> open = new ArrayDeque<>();
    List<ObjectNode> entities = new ArrayList<>();
    int i = 0;
    while (i < html.length()) {
      char c = html.charAt(i);
      if (c == '<') {
        int end = html.indexOf('>', i);
        if (end < 0) {
          throw refused("Unclosed start tag at byte offset " + byteOffset(html, i));
        }
        String tag = html.substring(i + 1, end);
        if (tag.startsWith("/")) {
          String name = tag.substring(1).strip().toLowerCase(Locale.ROOT);
          Open top = open.peek();
          if (top == null) {
            throw refused("Unexpected end tag at byte offset " + byteOffset(html, i));
          }
          if (!top.name.equals(name)) {
            throw refused(
                "Unmatched end tag at byte offset "
                    + byteOffset(html, i)
                    + ", expected \"</"
                    + top.name
                    + ">\", found \"</"
                    + name
                    + ">\"");
          }
          open.pop();
          close(top, out.length(), open.peek(), entities);
        } else {
          open.push(start(tag, html, i, out.length()));
        }
        i = end + 1;
      } else if (c == '&') {
        int semicolon = html.indexOf(';', i);
        String decoded =
            semicolon < 0 || semicolon - i > 10 ? null : entity(html, i + 1, semicolon);
        if (decoded == null) {
          out.append('&');
          i++;
        } else {
          out.append(decoded);
          i = semicolon + 1;
        }
      } else {
        out.append(c);
        i++;
      }
    }
    if (!open.isEmpty()) {
      throw refused("Can't find end tag corresponding to start tag \"" + open.peek().name + "\"");
    }
    entities.sort(
        Comparator.<ObjectNode>comparingInt(e -> e.path("offset").asInt())
            .thenComparing(e -> -e.path("length").asInt()));
    ArrayNode array = Json.MAPPER.createArrayNode();
    entities.forEach(array::add);
    return new Parsed(out.toString(), array);
  }

  private static Open start(String tag, String html, int at, int offset) {
    int space = 0;
    while (space < tag.length() && !Character.isWhitespace(tag.charAt(space))) {
      space++;
    }
    String name = tag.substring(0, space).toLowerCase(Locale.ROOT);
    if (name.endsWith("/")) {
      name = name.substring(0, name.length() - 1);
    }
    String attributes = tag.substring(space);
    if (!SIMPLE.containsKey(name)) {
      throw refused(
          "Unsupported start tag \"" + name + "\" at byte offset " + byteOffset(html, at));
    }
    String attribute =
        switch (name) {
          case "a" -> attribute(attributes, "href");
          case "code" -> attribute(attributes, "class");
          case "span" -> attribute(attributes, "class");
          case "tg-emoji" -> attribute(attributes, "emoji-id");
          case "blockquote" ->
              attributes.toLowerCase(Locale.ROOT).contains("expandable") ? "expandable" : null;
          default -> null;
        };
    if (name.equals("span") && !"tg-spoiler".equals(attribute)) {
      throw refused("Unsupported start tag \"span\" at byte offset " + byteOffset(html, at));
    }
    return new Open(name, offset, attribute);
  }

  private static void close(Open tag, int end, Open parent, List<ObjectNode> entities) {
    int length = end - tag.offset;
    if (tag.name.equals("code") && parent != null && parent.name.equals("pre")) {
      // <pre><code class="language-x">: one pre entity, with the language if there is one
      if (tag.attribute != null && tag.attribute.startsWith("language-")) {
        parent.language = tag.attribute.substring("language-".length());
      }
      return;
    }
    if (length <= 0) {
      return; // Telegram drops empty entities
    }
    ObjectNode entity = Json.MAPPER.createObjectNode();
    String type = SIMPLE.get(tag.name);
    if (tag.name.equals("blockquote") && tag.attribute != null) {
      type = "expandable_blockquote";
    }
    entity.put("offset", tag.offset).put("length", length).put("type", type);
    switch (tag.name) {
      case "a" -> {
        if (tag.attribute != null && tag.attribute.startsWith("tg://user?id=")) {
          entity.put("type", "text_mention");
        } else {
          entity.put("url", tag.attribute == null ? "" : tag.attribute);
        }
      }
      case "pre" -> {
        if (tag.language != null) {
          entity.put("language", tag.language);
        }
      }
      case "tg-emoji" -> entity.put("custom_emoji_id", tag.attribute == null ? "" : tag.attribute);
      default -> {
        // no more fields
      }
    }
    entities.add(entity);
  }

  /** A (single- or double-quoted, or bare) attribute's value, entities decoded; null if absent. */
  static String attribute(String attributes, String name) {
    String lower = attributes.toLowerCase(Locale.ROOT);
    int at = 0;
    while ((at = lower.indexOf(name, at)) >= 0) {
      boolean startOfName = at == 0 || Character.isWhitespace(lower.charAt(at - 1));
      int after = at + name.length();
      while (after < lower.length() && Character.isWhitespace(lower.charAt(after))) {
        after++;
      }
      if (startOfName && after < lower.length() && lower.charAt(after) == '=') {
        int valueStart = after + 1;
        while (valueStart < attributes.length()
            && Character.isWhitespace(attributes.charAt(valueStart))) {
          valueStart++;
        }
        if (valueStart >= attributes.length()) {
          return "";
        }
        char quote = attributes.charAt(valueStart);
        String value;
        if (quote == '"' || quote == '\'') {
          int close = attributes.indexOf(quote, valueStart + 1);
          value = attributes.substring(valueStart + 1, close < 0 ? attributes.length() : close);
        } else {
          int close = valueStart;
          while (close < attributes.length()
              && !Character.isWhitespace(attributes.charAt(close))
              && attributes.charAt(close) != '/') {
            close++;
          }
          value = attributes.substring(valueStart, close);
        }
        return parse(value.replace("<", "&lt;").replace(">", "&gt;")).text();
      }
      at = after;
    }
    return null;
  }

  /** A character reference between {@code &} and {@code ;}, or null when it is not one. */
  private static String entity(String html, int from, int semicolon) {
    String name = html.substring(from, semicolon);
    switch (name) {
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "amp":
        return "&";
      case "quot":
        return "\"";
      case "apos":
        return "'";
      case "nbsp":
        return "\u00a0";
      default:
        break;
    }
    if (name.startsWith("#")) {
      try {
        int code =
            name.startsWith("#x") || name.startsWith("#X")
                ? Integer.parseInt(name.substring(2), 16)
                : Integer.parseInt(name.substring(1));
        if (Character.isValidCodePoint(code)) {
          return new String(Character.toChars(code));
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static int byteOffset(String s, int index) {
    return s.substring(0, index).getBytes(StandardCharsets.UTF_8).length;
  }

  private static BotApiException refused(String why) {
    return BotApiException.badRequest("can't parse entities: " + why);
  }

  private static final class Open {
    final String name;
    final int offset;
    final String attribute;
    String language;

    Open(String name, int offset, String attribute) {
      this.name = name;
      this.offset = offset;
      this.attribute = attribute;
    }
  }
}
