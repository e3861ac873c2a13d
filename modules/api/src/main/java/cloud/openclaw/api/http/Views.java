package cloud.openclaw.api.http;

import cloud.openclaw.platform.config.Plan;
import cloud.openclaw.platform.domain.Box;
import cloud.openclaw.platform.domain.Customer;
import cloud.openclaw.platform.jobs.Job;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON shapes of the api's resources, in one place so that me and admin agree. */
public final class Views {
  private Views() {}

  public static Map<String, Object> customer(Customer customer) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", customer.id());
    view.put("email", customer.email());
    view.put("displayName", customer.displayName());
    view.put("status", customer.status().dbValue());
    view.put("plan", customer.plan());
    view.put("telegramUserId", customer.telegramUserId());
    view.put("createdAt", customer.createdAt());
    return view;
  }

  /** A box as its owner sees it; {@code plan} (may be null) adds what the settings may be. */
  public static Map<String, Object> box(Box box, Plan plan) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", box.id());
    view.put("status", box.observedState().dbValue());
    view.put("desiredState", box.desiredState().dbValue());
    view.put("botUsername", box.botUsername());
    view.put("telegramLink", "https://t.me/" + box.botUsername());
    view.put("liveSince", box.readyAt());
    view.put("lastError", box.lastError());
    Map<String, Object> settings = new LinkedHashMap<>();
    settings.put("allowedTelegramUserIds", box.allowedTelegramUserIds());
    settings.put("model", box.model());
    settings.put("thinkingLevel", box.thinkingLevel().dbValue());
    view.put("settings", settings);
    if (plan != null) {
      view.put("allowed", Map.of("models", plan.models(), "thinkingLevels", plan.thinkingLevels()));
    }
    return view;
  }

  /** A box as an admin sees it: its owner and where it runs too. */
  public static Map<String, Object> adminBox(Box box) {
    Map<String, Object> view = box(box, null);
    view.put("customerId", box.customerId());
    view.put("runtime", box.runtime().dbValue());
    view.put("namespace", box.namespace());
    view.put("createdAt", box.createdAt());
    view.put("destroyedAt", box.destroyedAt());
    return view;
  }

  public static Map<String, Object> job(Job job) {
    Map<String, Object> view = new LinkedHashMap<>();
    view.put("id", job.id());
    view.put("type", job.type().dbValue());
    view.put("boxId", job.boxId());
    view.put("status", job.status().dbValue());
    view.put("attempts", job.attempts());
    view.put("maxAttempts", job.maxAttempts());
    view.put("lastError", job.lastError());
    view.put("createdAt", job.createdAt());
    view.put("finishedAt", job.finishedAt());
    return view;
  }
}
