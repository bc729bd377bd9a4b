// The storefront: renders the web BFF's JSON pages. Routes: #/ (home), #/product/SKU, #/cart,
// #/order/ID. The cart id and the customer live in localStorage; a checkout keeps its
// Idempotency-Key until it is answered, so a retry never makes a second order.
'use strict';

const api = '/web/api';
const view = document.getElementById('view');
const notice = document.getElementById('notice');

function id(key, prefix) {
  let v = localStorage.getItem(key);
  if (!v) {
    v = prefix + Math.random().toString(16).slice(2, 14);
    localStorage.setItem(key, v);
  }
  return v;
}
const cartId = () => id('bulwark-cart', 'cart-');
const customer = () => id('bulwark-customer', 'web-');

function money(cents) {
  return '$' + (cents / 100).toFixed(2);
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// The customer: on the web BFF's own port (no gateway in front, as in development and the browser
// test) the page says who it is in x-customer-id, the header the gateway sets from a verified
// token; behind the gateway a client's copy is removed and the customer routes need a token.
async function call(method, path, body, headers) {
  const init = { method, headers: Object.assign({ accept: 'application/json', 'x-customer-id': customer() }, headers || {}) };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const r = await fetch(api + path, init);
  let json = null;
  try { json = await r.json(); } catch (e) { json = null; }
  return { status: r.status, body: json };
}

function problem(r) {
  const b = r.body || {};
  return '<p class="error" id="error">' + esc(r.status + ' ' + (b.code || b.error || '') + ': ' + (b.message || b.detail || b.reason || '')) + '</p>';
}

function showPartial(partial) {
  if (partial && partial.length) {
    notice.hidden = false;
    notice.id = 'notice';
    notice.textContent = 'Some parts of this page are unavailable right now: ' + partial.join(', ');
  } else {
    notice.hidden = true;
  }
}

function setCart(summary) {
  if (summary) document.getElementById('cart-count').textContent = summary.items;
}

function card(p) {
  return '<div class="card product" data-sku="' + esc(p.sku) + '"><a href="#/product/' + esc(p.sku) + '">'
    + '<img alt="" src="' + esc(p.images[0]) + '"><div class="name">' + esc(p.name) + '</div>'
    + '<div class="price">' + money(p.price) + '</div></a></div>';
}

async function home() {
  const r = await call('GET', '/home?cart=' + cartId());
  if (r.status !== 200) { view.innerHTML = problem(r); return; }
  setCart(r.body.cart);
  showPartial(r.body.partial);
  view.innerHTML = '<h1>Products</h1><div class="grid" id="products">' + r.body.products.map(card).join('') + '</div>';
}

async function product(sku) {
  const r = await call('GET', '/products/' + encodeURIComponent(sku) + '?cart=' + cartId());
  if (r.status !== 200) { view.innerHTML = problem(r); return; }
  const b = r.body, p = b.product;
  setCart(b.cart);
  showPartial(b.partial);
  const title = b.recommendationsSource === 'popular' ? 'Popular items' : 'Customers also bought';
  view.innerHTML = '<h1 id="product-name">' + esc(p.name) + '</h1>'
    + '<div class="pictures">' + p.images.map(i => '<img alt="" src="' + esc(i) + '">').join('') + '</div>'
    + '<p>' + esc(p.category) + ' · stock: <span id="stock">' + esc(p.stock) + '</span></p>'
    + '<p class="price" id="price" data-cents="' + p.price + '">' + money(p.price) + '</p>'
    + '<button id="add-to-cart">Add to cart</button> <span id="added"></span>'
    + '<h2 id="recommendations-title" data-source="' + esc(b.recommendationsSource) + '">' + title + '</h2>'
    + '<div class="grid" id="recommendations">' + b.recommendations.map(i => '<div class="card recommendation" data-sku="' + esc(i.sku) + '"><a href="#/product/' + esc(i.sku) + '"><img alt="" src="' + esc(i.image) + '"><div>' + esc(i.name) + '</div></a></div>').join('') + '</div>';
  document.getElementById('add-to-cart').onclick = async () => {
    const a = await call('POST', '/cart/' + cartId() + '/items', { sku: p.sku, quantity: 1 });
    const added = document.getElementById('added');
    if (a.status === 200) {
      const units = a.body.items.reduce((n, l) => n + l.quantity, 0);
      document.getElementById('cart-count').textContent = units;
      added.textContent = 'Added.';
      added.className = 'added';
    } else {
      added.innerHTML = problem(a);
    }
  };
}

async function cart() {
  const r = await call('GET', '/cart/' + cartId());
  if (r.status !== 200) { view.innerHTML = problem(r); return; }
  const b = r.body;
  showPartial(b.partial);
  const units = b.lines.reduce((n, l) => n + l.quantity, 0);
  document.getElementById('cart-count').textContent = units;
  if (!b.lines.length) { view.innerHTML = '<h1>Cart</h1><p id="empty-cart">Your cart is empty.</p>'; return; }
  view.innerHTML = '<h1>Cart</h1><table id="cart-lines"><tr><th>Product</th><th>Qty</th><th>Price</th><th>Total</th></tr>'
    + b.lines.map(l => '<tr class="cart-line" data-sku="' + esc(l.sku) + '"><td>' + esc(l.name || l.sku) + '</td><td>' + l.quantity + '</td><td>' + money(l.price) + '</td><td>' + money(l.lineTotal) + '</td></tr>').join('')
    + '</table><p class="price">Total: <span id="cart-total">' + money(b.total) + '</span></p>'
    + '<button id="checkout">Checkout</button> <span id="checkout-status"></span>';
  document.getElementById('checkout').onclick = checkout;
}

async function checkout() {
  const button = document.getElementById('checkout');
  const status = document.getElementById('checkout-status');
  button.disabled = true;
  let key = localStorage.getItem('bulwark-checkout-key');
  if (!key) {
    key = 'chk-' + Math.random().toString(16).slice(2, 18);
    localStorage.setItem('bulwark-checkout-key', key);
  }
  for (let attempt = 0; attempt < 10; attempt++) {
    status.textContent = 'Placing your order…';
    const r = await call('POST', '/checkout', { cartId: cartId() }, { 'Idempotency-Key': key });
    if (r.status === 409 && r.body && r.body.code === 'in_progress') {
      await new Promise(res => setTimeout(res, 1000));
      continue;
    }
    localStorage.removeItem('bulwark-checkout-key');
    if (r.body && r.body.orderId) {
      if (r.status === 200 || r.status === 201) localStorage.removeItem('bulwark-cart');
      location.hash = '#/order/' + r.body.orderId;
    } else {
      status.innerHTML = problem(r);
      button.disabled = false;
    }
    return;
  }
  status.textContent = 'Your order is still being placed; try again in a moment.';
  button.disabled = false;
}

async function order(orderId) {
  const r = await call('GET', '/orders/' + encodeURIComponent(orderId));
  if (r.status !== 200) { view.innerHTML = problem(r); return; }
  const o = r.body;
  view.innerHTML = '<h1>Order</h1><p>Order <span id="order-id">' + esc(o.orderId) + '</span>: '
    + '<strong id="order-status">' + esc(o.status) + '</strong></p>'
    + '<p>Total: ' + money(o.total) + '</p>'
    + (o.reason ? '<p id="order-reason">' + esc(o.reason) + '</p>' : '')
    + '<p><a href="#/">Continue shopping</a></p>';
  document.getElementById('cart-count').textContent = '0';
}

async function route() {
  const h = location.hash || '#/';
  notice.hidden = true;
  try {
    if (h.startsWith('#/product/')) await product(decodeURIComponent(h.slice(10)));
    else if (h === '#/cart') await cart();
    else if (h.startsWith('#/order/')) await order(decodeURIComponent(h.slice(8)));
    else await home();
  } catch (e) {
    view.innerHTML = '<p class="error" id="error">' + esc(e) + '</p>';
  }
  view.dataset.route = h;
}

window.addEventListener('hashchange', route);
route();
