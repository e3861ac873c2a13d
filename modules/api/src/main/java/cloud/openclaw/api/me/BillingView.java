package cloud.openclaw.api.me;

import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.domain.Subscription;
import cloud.openclaw.platform.store.SubscriptionStore;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A customer's plan, its display price ({@code api.plan-prices}) and the Stripe subscription that
 * governs it: the live one, else the one that ended last; its fields are null before the first.
 */
public final class BillingView {
  private final SubscriptionStore subscriptions;
  private final Map<String, String> prices;

  public BillingView(SubscriptionStore subscriptions, Map<String, String> prices) {
    this.subscriptions = subscriptions;
    this.prices = Map.copyOf(prices);
  }

  public Map<String, Object> of(Customer customer) {
    Optional<Subscription> found = subscriptions.findCurrentForCustomer(customer.id());
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("plan", customer.plan());
    view.put("price", customer.plan() == null ? null : prices.get(customer.plan()));
    view.put("status", found.map(sub -> sub.status().dbValue()).orElse(null));
    view.put("currentPeriodStart", found.map(Subscription::currentPeriodStart).orElse(null));
    view.put("currentPeriodEnd", found.map(Subscription::currentPeriodEnd).orElse(null));
    view.put("cancelAtPeriodEnd", found.map(Subscription::cancelAtPeriodEnd).orElse(false));
    return view;
  }
}
