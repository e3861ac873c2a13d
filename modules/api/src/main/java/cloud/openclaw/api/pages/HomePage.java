package cloud.openclaw.api.pages;

import static cloud.openclaw.api.http.ApiService.Route.get;

import cloud.openclaw.api.auth.Session;
import cloud.openclaw.api.auth.Sessions;
import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.store.BoxStore;
import cloud.openclaw.platform.store.CustomerStore;
import io.helidon.http.UnauthorizedException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /}: where the links in mails, the end of sign-in and the billing portal's "return"
 * lead (the dashboard's place, {@code api.public-url}/). Signed in, it shows the agent's state and
 * the next step (a bot token Telegram refused, say); not signed in, how to get a sign-in link.
 */
public final class HomePage implements ApiService {
  private final Sessions sessions;
  private final CustomerStore customers;
  private final BoxStore boxes;

  public HomePage(Sessions sessions, CustomerStore customers, BoxStore boxes) {
    this.sessions = sessions;
    this.customers = customers;
    this.boxes = boxes;
  }

  @Override
  public String prefix() {
    return "/";
  }

  @Override
  public List<Route> routes() {
    return List.of(get("/", this::home));
  }

  private void home(ServerRequest request, ServerResponse response) {
    Optional<Session> session = session(request);
    if (session.isEmpty()) {
      Pages.send(response, Pages.page("OpenClaw Cloud", SIGN_IN));
      return;
    }
    StringBuilder body = new StringBuilder();
    body.append("<p>Signed in as ").append(Pages.esc(session.get().email())).append(".</p>");
    Optional<Customer> customer =
        Optional.ofNullable(session.get().customerId()).flatMap(customers::find);
    Optional<Box> box = customer.flatMap(c -> boxes.findLiveForCustomer(c.id()));
    if (box.isPresent()) {
      body.append(agent(box.get()));
    } else if (customer.isPresent()) {
      body.append("<p>You have no agent at the moment.</p>");
    }
    body.append(
        "<p>The full dashboard is on its way. Meanwhile the same is at <a href=\"/me/box\">/me/box"
            + "</a> and your usage at <a href=\"/me/usage\">/me/usage</a> (JSON).</p>");
    Pages.send(response, Pages.page("Your dashboard", body.toString()));
  }

  /** The agent's state in words, with what to do next. */
  private static String agent(Box box) {
    String name = "@" + Pages.esc(box.botUsername());
    String link =
        "<a href=\"https://t.me/" + Pages.esc(box.botUsername()) + "\">talk to it on Telegram</a>";
    String state =
        switch (box.observedState()) {
          case RUNNING -> "is live: " + link + ".";
          case PENDING, PROVISIONING ->
              "is being set up: it answers on Telegram within a minute, and we mail you when it is"
                  + " live.";
          case BOT_REFUSED -> "cannot reach anyone. " + Pages.esc(box.lastError());
          case SUSPENDED ->
              "is paused. It starts again, with its memory, as soon as the invoice is paid.";
          case DESTROYING, DESTROYED -> "has been deleted.";
          case FAILED ->
              "could not be started. "
                  + Pages.esc(box.lastError())
                  + " We are on it; nothing needs doing on your side.";
        };
    return "<h2>Your agent " + name + "</h2><p>Your agent " + state + "</p>";
  }

  private Optional<Session> session(ServerRequest request) {
    try {
      return Optional.of(sessions.require(request));
    } catch (UnauthorizedException signedOut) {
      return Optional.empty();
    }
  }

  /** A sign-in link by mail, asked for through the api's JSON route. */
  private static final String SIGN_IN =
      """
      <p>You are not signed in. Enter your email and we mail you a link that signs you in and
      brings you back here.</p>
      <form id="login"><input type="email" name="email" required placeholder="you@example.com">
      <button type="submit">Mail me a sign-in link</button></form><p id="sent"></p>
      <script>
      document.getElementById('login').addEventListener('submit', async (event) => {
        event.preventDefault();
        const email = event.target.email.value;
        const answer = await fetch('/auth/login', {method: 'POST',
          headers: {'Content-Type': 'application/json'}, body: JSON.stringify({email})});
        document.getElementById('sent').textContent = answer.ok
          ? 'If this email has an account, a sign-in link is on its way.'
          : 'That did not work (' + answer.status + '): try again in a few minutes.';
      });
      </script>
      """;
}
