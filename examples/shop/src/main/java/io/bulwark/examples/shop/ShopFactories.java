package io.bulwark.examples.shop;

import io.bulwark.examples.shop.bff.BffService;
import io.bulwark.examples.shop.cart.CartService;
import io.bulwark.examples.shop.catalog.CatalogService;
import io.bulwark.examples.shop.edge.EdgeService;
import io.bulwark.examples.shop.identity.IdentityService;
import io.bulwark.examples.shop.inventory.InventoryService;
import io.bulwark.examples.shop.legacy.LegacyService;
import io.bulwark.examples.shop.notifications.NotificationsService;
import io.bulwark.examples.shop.orders.OrdersService;
import io.bulwark.examples.shop.payments.PaymentsService;
import io.bulwark.examples.shop.provider.LegacyPaymentProvider;
import io.bulwark.examples.shop.recommendations.RecommendationsService;
import io.bulwark.examples.shop.shipping.ShippingService;
import io.bulwark.runtime.InstanceContext;
import io.bulwark.runtime.ServiceFactory;
import io.bulwark.runtime.ServiceInstance;

/**
 * The shop's service factories named by class, so that the runtime's process mode can load each one
 * in a child JVM ({@code ServiceSpec.builder(name, factoryClass)}); each delegates to its service's
 * own {@code create}.
 */
public final class ShopFactories {
  private ShopFactories() {}

  /** Recommendations. */
  public static final class Recommendations implements ServiceFactory {
    public Recommendations() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return RecommendationsService.create(ctx);
    }
  }

  /** Catalog. */
  public static final class Catalog implements ServiceFactory {
    public Catalog() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return CatalogService.create(ctx);
    }
  }

  /** Inventory. */
  public static final class Inventory implements ServiceFactory {
    public Inventory() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return InventoryService.create(ctx);
    }
  }

  /** The legacy payment provider. */
  public static final class PaymentProvider implements ServiceFactory {
    public PaymentProvider() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return LegacyPaymentProvider.create(ctx);
    }
  }

  /** Payments. */
  public static final class Payments implements ServiceFactory {
    public Payments() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return PaymentsService.create(ctx);
    }
  }

  /** Cart. */
  public static final class Cart implements ServiceFactory {
    public Cart() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return CartService.create(ctx);
    }
  }

  /** Orders. */
  public static final class Orders implements ServiceFactory {
    public Orders() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return OrdersService.create(ctx);
    }
  }

  /** Shipping. */
  public static final class Shipping implements ServiceFactory {
    public Shipping() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return ShippingService.create(ctx);
    }
  }

  /** Notifications. */
  public static final class Notifications implements ServiceFactory {
    public Notifications() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return NotificationsService.create(ctx);
    }
  }

  /** Web-bff. */
  public static final class WebBff implements ServiceFactory {
    public WebBff() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return BffService.web(ctx);
    }
  }

  /** Mobile-bff. */
  public static final class MobileBff implements ServiceFactory {
    public MobileBff() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return BffService.mobile(ctx);
    }
  }

  /** Identity. */
  public static final class Identity implements ServiceFactory {
    public Identity() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return IdentityService.create(ctx);
    }
  }

  /** Legacy. */
  public static final class Legacy implements ServiceFactory {
    public Legacy() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return LegacyService.create(ctx);
    }
  }

  /** Gateway. */
  public static final class Gateway implements ServiceFactory {
    public Gateway() {}

    @Override
    public ServiceInstance create(InstanceContext ctx) throws Exception {
      return EdgeService.create(ctx);
    }
  }
}
