package io.bulwark.examples.shop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The invariants judged from the legacy payment provider's own books and from the notifications
 * store: what the shop's ledger says must be what the provider did, and each confirmed order is
 * notified once.
 */
final class ProviderInvariants {
  private static final int NAMED = 5;

  private ProviderInvariants() {}

  /**
   * At the provider, each charge id (its merchant reference) has at most one transaction; a charge
   * the ledger holds (not refunded) has exactly one SALE of the same amount; any other reference
   * has no SALE left (reversed, or never booked). "Charged once" and "refunded" are then true of
   * the money, not only of the shop's ledger.
   */
  static Invariant providerAgrees(Snapshot s) {
    List<String> bad = new ArrayList<>();
    long sales = 0;
    for (Map.Entry<String, List<String>> e : s.providerTxns().entrySet()) {
      String ref = e.getKey();
      List<String> txns = e.getValue();
      if (txns.size() > 1) {
        bad.add(ref + " booked " + txns.size() + " times at the provider " + txns);
        continue;
      }
      boolean sale = txns.getFirst().startsWith("SALE ");
      boolean paid = s.chargeRows().getOrDefault(ref, 0L) > s.refundRows().getOrDefault(ref, 0L);
      if (sale) {
        sales++;
      }
      if (sale && !paid) {
        bad.add(ref + " kept by the provider (" + txns.getFirst() + ") but not paid in the ledger");
      } else if (!sale && paid) {
        bad.add(ref + " paid in the ledger but " + txns.getFirst() + " at the provider");
      } else if (sale && !txns.getFirst().equals("SALE " + s.chargeAmount().get(ref))) {
        bad.add(ref + " ledger charged " + s.chargeAmount().get(ref) + ", provider " + txns);
      }
    }
    s.chargeRows()
        .forEach(
            (ref, n) -> {
              if (n > s.refundRows().getOrDefault(ref, 0L) && !s.providerTxns().containsKey(ref)) {
                bad.add(ref + " paid in the ledger but unknown to the provider");
              }
            });
    return new Invariant(
        "the provider booked each charge once and kept only what the ledger holds",
        bad.isEmpty(),
        bad.isEmpty()
            ? s.providerTxns().size() + " references at the provider, " + sales + " sales kept"
            : bad.size() + " violations: " + first(bad));
  }

  /** Each CONFIRMED order has exactly one notification; no other order has any. */
  static Invariant notifiedOnce(Snapshot s) {
    List<String> bad = new ArrayList<>();
    long confirmed = 0;
    for (Map.Entry<String, String> o : s.orderStatus().entrySet()) {
      long n = s.notifications().getOrDefault(o.getKey(), 0L);
      if (o.getValue().equals("CONFIRMED")) {
        confirmed++;
        if (n != 1) {
          bad.add(o.getKey() + " CONFIRMED, notified " + n + " times");
        }
      } else if (n != 0) {
        bad.add(o.getKey() + " " + o.getValue() + ", notified " + n + " times");
      }
    }
    s.notifications()
        .forEach(
            (id, n) -> {
              if (!s.orderStatus().containsKey(id)) {
                bad.add(id + " notified " + n + " times but no such order");
              }
            });
    return new Invariant(
        "every confirmed order notified exactly once",
        bad.isEmpty(),
        bad.isEmpty()
            ? confirmed + " confirmed orders, each notified once"
            : bad.size() + " violations: " + first(bad));
  }

  static void figures(Snapshot s, Map<String, Long> f) {
    f.put(
        "provider sales kept",
        s.providerTxns().values().stream().filter(t -> t.getFirst().startsWith("SALE ")).count());
    f.put(
        "provider reversals",
        s.providerTxns().values().stream()
            .filter(t -> t.getFirst().startsWith("REVERSED "))
            .count());
    f.put("notifications", s.notifications().values().stream().mapToLong(Long::longValue).sum());
  }

  private static String first(List<String> items) {
    List<String> sorted = items.stream().sorted().toList();
    String shown = String.join(", ", sorted.subList(0, Math.min(NAMED, sorted.size())));
    return sorted.size() > NAMED ? shown + ", …" : shown;
  }
}
