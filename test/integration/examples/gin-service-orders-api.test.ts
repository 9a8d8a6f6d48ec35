import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BUILD_TIMEOUT_MS, startGinService } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// POST /orders validates its input and names the problem; a stored order reads back by id.
let service: GinService;

before(
  async () => {
    service = await startGinService(["--etcd", "", "--kafka", ""]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
});

function post(body: string, contentType = "application/json"): Promise<Response> {
  return fetch(`${service.url}/orders`, { method: "POST", headers: { "content-type": contentType }, body });
}

void test("bad orders get 4xx with a code and a message that names the problem", async () => {
  const cases: Array<[string, number, string, RegExp]> = [
    ["", 400, "invalid_json", /^body: empty/],
    ["{", 400, "invalid_json", /^body: /],
    ['{"sku":"sku-001","quantity":1,"customer":"c"} {}', 400, "invalid_json", /exactly one JSON object/],
    ['{"quantity":1,"customer":"c"}', 400, "invalid_order", /^sku: required/],
    ['{"sku":"sku-001","customer":"c"}', 400, "invalid_order", /^quantity: required/],
    [
      '{"sku":"sku-001","quantity":"2","customer":"c"}',
      400,
      "invalid_order",
      /^quantity: want an integer, got a JSON string$/,
    ],
    [
      '{"sku":"sku-001","quantity":101,"customer":"c"}',
      400,
      "invalid_order",
      /^quantity: must be from 1 to 100, got 101$/,
    ],
    ['{"sku":"sku-001","quantity":1,"customer":" "}', 400, "invalid_order", /^customer: required/],
    [
      '{"sku":"sku-001","quantity":1,"customer":"c","coupon":"x"}',
      400,
      "invalid_order",
      /^coupon: unknown field/,
    ],
    [
      '{"sku":"sku-999","quantity":1,"customer":"c"}',
      400,
      "invalid_order",
      /^sku: no item "sku-999" in the catalogue/,
    ],
    [`{"customer":"${"x".repeat(20_000)}"}`, 413, "body_too_large", /^body: larger than 16384 bytes$/],
  ];
  for (const [body, status, code, message] of cases) {
    const response = await post(body);
    const answer = (await response.json()) as { error: string; message: string };
    assert.equal(response.status, status, `${body.slice(0, 60)} → ${JSON.stringify(answer)}`);
    assert.equal(answer.error, code);
    assert.match(answer.message, message);
  }
  const wrongType = await post("sku=sku-001", "application/x-www-form-urlencoded");
  assert.equal(wrongType.status, 415);
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`^orders_total\\{result="rejected"\\} ${cases.length + 1}$`, "m"));
  assert.match(metrics, /^orders_total\{result="accepted"\} 0$/m);
});

void test("a stored order reads back by id; unknown and malformed ids are 404 and 400", async () => {
  const created = await post('{"sku":"sku-003","quantity":2,"customer":"c-7"}');
  assert.equal(created.status, 201, "Kafka off: stored is done");
  const order = (await created.json()) as { id: string };
  assert.equal(created.headers.get("location"), `/orders/${order.id}`);
  const read = await fetch(`${service.url}/orders/${order.id}`);
  assert.equal(read.status, 200);
  const body = (await read.json()) as Record<string, unknown>;
  assert.deepEqual(
    {
      sku: body["sku"],
      quantity: body["quantity"],
      customer: body["customer"],
      published: body["published"],
    },
    { sku: "sku-003", quantity: 2, customer: "c-7", published: false },
  );
  assert.equal((await fetch(`${service.url}/orders/${crypto.randomUUID()}`)).status, 404);
  const malformed = await fetch(`${service.url}/orders/not-an-id`);
  assert.equal(malformed.status, 400);
  assert.match(((await malformed.json()) as { message: string }).message, /^id: want a UUID/);
  const items = (await (await fetch(`${service.url}/api/items?q=Item 3&limit=100`)).json()) as {
    items: Array<{ sku: string; orders: number }>;
  };
  assert.equal(items.items.find((i) => i.sku === "sku-003")?.orders, 1, "the listing counts the order");
});
