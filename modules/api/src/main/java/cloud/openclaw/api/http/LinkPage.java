package cloud.openclaw.api.http;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * The page a mailed one-time link opens: a button that posts the link's token to {@code action}.
 * Mail scanners that follow links must not use the token up, so only the button does.
 */
public final class LinkPage {
  private LinkPage() {}

  /** The page for the link's {@code ?token=}, with {@code title} as heading and button. */
  public static void send(
      ServerRequest request,
      ServerResponse response,
      String title,
      String text,
      String action,
      String button) {
    String token = Requests.query(request, "token").orElse("").replaceAll("[^A-Za-z0-9_-]", "");
    response.header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
    response.header(HeaderNames.CACHE_CONTROL, "no-store");
    // The URL carries the token: never to another site. Not "no-referrer": with it, browsers send
    // "Origin: null" on the form's post, which the origin check rightly refuses.
    response.header("Referrer-Policy", "same-origin");
    response.send(
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s</title><style>
        body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f6f7fb;color:#16181d}
        main{max-width:28em;margin:12vh auto;padding:0 16px}
        button{font:inherit;font-weight:600;min-height:44px;padding:0 18px;border-radius:10px;
        border:1px solid #0f5bd8;background:#0f5bd8;color:#fff;cursor:pointer}
        button:focus-visible{outline:3px solid #0f5bd8;outline-offset:2px}
        </style></head><body><main><h1>%s</h1>
        <p>%s</p>
        <form method="post" action="%s">
        <input type="hidden" name="token" value="%s">
        <button type="submit">%s</button></form></main></body></html>
        """
            .formatted(
                title.contains("OpenClaw Cloud") ? title : title + " · OpenClaw Cloud",
                title,
                text,
                action,
                token,
                button));
  }

  /** Whether the request carries a form body (the page's post). */
  public static boolean isForm(ServerRequest request) {
    return request
        .headers()
        .contentType()
        .map(type -> type.test(MediaTypes.APPLICATION_FORM_URLENCODED))
        .orElse(false);
  }

  /** The token the page's form posted, or "" when there is none. */
  public static String postedToken(ServerRequest request) {
    return isForm(request) && request.content().hasEntity()
        ? request.content().as(Parameters.class).first("token").orElse("")
        : "";
  }
}
