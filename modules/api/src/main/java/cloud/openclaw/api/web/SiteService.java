package cloud.openclaw.api.web;

import static cloud.openclaw.api.http.ApiService.Route.get;

import cloud.openclaw.api.http.ApiService;
import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.config.Plans;
import cloud.openclaw.platform.http.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /site}: what the landing page shows, from configuration: the plans on sale with their
 * display prices ({@code api.plan-prices}) and the onboarding setup bot's link ({@code
 * api.site.setup-bot-url}), so that nothing about the offer is written into the site itself.
 */
public final class SiteService implements ApiService {
  private final Plans plans;
  private final Map<String, String> prices;
  private final URI setupBotUrl;

  /**
   * @param prices display prices by plan name (a plan without one is priced on the checkout page)
   * @param setupBotUrl the setup bot's t.me link, or null when there is none
   */
  public SiteService(Plans plans, Map<String, String> prices, URI setupBotUrl) {
    this.plans = plans;
    this.prices = Map.copyOf(prices);
    this.setupBotUrl = setupBotUrl;
  }

  @Override
  public String prefix() {
    return "/site";
  }

  @Override
  public List<Route> routes() {
    return List.of(get("/", this::site));
  }

  private void site(ServerRequest request, ServerResponse response) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "plans",
        plans.all().stream()
            .sorted(Comparator.comparingLong(Plan::monthlyTokens).thenComparing(Plan::name))
            .map(this::plan)
            .toList());
    body.put("setupBotUrl", setupBotUrl == null ? null : setupBotUrl.toString());
    response.header(HeaderNames.CACHE_CONTROL, "public, max-age=60");
    Json.send(response, Status.OK_200, body);
  }

  private Map<String, Object> plan(Plan plan) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("name", plan.name());
    view.put("price", prices.get(plan.name()));
    view.put("monthlyTokens", plan.monthlyTokens());
    view.put("requestsPerSecond", plan.requestsPerSecond());
    view.put("models", plan.models());
    view.put("thinkingLevels", plan.thinkingLevels());
    return view;
  }
}
