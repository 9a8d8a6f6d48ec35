import express, {
  type ErrorRequestHandler,
  type Express,
  type Request,
  type RequestHandler,
  type Response,
} from "express";
import type { Logger } from "pino";
import type { CanaryAction } from "../canary/canary-run.ts";
import type { AdminConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import type { BalancerControl } from "../server/balancer.ts";
import { backendNamed, upstreamNamed } from "../upstream/control-commands.ts";
import { parseBackendPatch, overrideOf, parseCanaryAction } from "./admin-input.ts";
import { backendView, upstreamView, upstreamViews } from "./admin-views.ts";
import type { BackendChangeResponse } from "./api-types.ts";
import type { EventStream } from "./event-stream.ts";
import { openApiDocument } from "./openapi.ts";
import { statusPage } from "./status-page/status-page.ts";
import { bearerToken, createTokenComparer } from "./token-auth.ts";

/** An operator's change, as logged and counted. */
export interface AdminChange {
  readonly who: string;
  readonly action: string;
  readonly upstream: string;
  readonly backend: string | null;
  readonly change: Readonly<Record<string, unknown>>;
}

export interface AdminAppDeps {
  readonly control: BalancerControl;
  readonly logger: Logger;
  readonly events: EventStream;
  /** Counts each change (telemetry). */
  readonly onChange?: (change: AdminChange) => void;
  /** Runs before each authenticated request (a multi-worker primary gathers its workers' traffic). */
  readonly beforeRequest?: () => Promise<void>;
  /**
   * Resolves once a change is in force wherever requests are served (a multi-worker primary: in
   * every worker); the answer waits for it. Absent: at once.
   */
  readonly changeSettled?: () => Promise<void>;
}

/** Settings a reload may change without rebinding: the tokens and who may read. */
export interface AdminSettings {
  config: AdminConfig;
  isToken: (presented: string) => string | undefined;
}

export function adminSettings(config: AdminConfig): AdminSettings {
  return { config, isToken: createTokenComparer(config.tokens) };
}

const HOLDS =
  "until a config reload or discovery update changes this backend's declaration (weight, backup, metadata), or DELETE .../override";
const BODY_LIMIT = "16kb";
const V1 = "/api/v1";

/** The admin API as an Express app over a running balancer; `settings` is read on every request. */
export function createAdminApp(settings: AdminSettings, deps: AdminAppDeps): Express {
  const { control } = deps;
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(statusPage()); // `/` and its /assets/: they hold no data, so before authentication
  app.get(`${V1}/openapi.json`, (_req, res) => void res.json(openApiDocument));
  app.use(authenticate(settings));
  const { beforeRequest } = deps;
  if (beforeRequest) app.use((_req, _res, next) => void beforeRequest().then(() => next(), next));
  app.use(express.json({ limit: BODY_LIMIT, type: "application/json" }));

  const route = app.route.bind(app);
  route(`${V1}/upstreams`).get((_req, res) => void res.json({ upstreams: upstreamViews(control) }));
  route(`${V1}/upstreams/:upstream`).get((req, res) => {
    res.json(upstreamView(control, upstreamNamed(control.upstreams(), param(req, "upstream"))));
  });
  route(`${V1}/upstreams/:upstream/backends/:backend`)
    .get((req, res) => {
      const upstream = upstreamNamed(control.upstreams(), param(req, "upstream"));
      res.json(backendView(control, upstream, backendNamed(upstream, param(req, "backend"))));
    })
    .patch(requireJson, (req, res) => {
      const patch = parseBackendPatch(req.body);
      changeBackend(req, res, deps, { kind: "backend.patch", patch: overrideOf(patch) }, patch);
    });
  route(`${V1}/upstreams/:upstream/backends/:backend/override`).delete((req, res) => {
    changeBackend(req, res, deps, { kind: "backend.reset" }, { reset: true });
  });
  route(`${V1}/upstreams/:upstream/canary`)
    .get((req, res) => void res.json(canaryOf(control, req).view()))
    .post(requireJson, (req, res) => {
      const { action } = parseCanaryAction(req.body);
      actOnCanary(req, res, deps, action);
    });
  route(`${V1}/upstreams/:upstream/canary/promote`).post((req, res) =>
    actOnCanary(req, res, deps, "promote"),
  );
  route(`${V1}/upstreams/:upstream/canary/abort`).post((req, res) => actOnCanary(req, res, deps, "abort"));
  route(`${V1}/events`).get((req, res) => {
    if (!deps.events.accept(req, res))
      throw new TracewayError("ADMIN_UNAVAILABLE", "too many event stream clients");
  });
  app.use(notFound(app));
  app.use(errorHandler(deps.logger));
  return app;
}

/** Who is asking: the token's name, or `loopback` for a read that `readAccess: loopback` lets in. */
function authenticate(settings: AdminSettings): RequestHandler {
  return (req, res, next) => {
    const token = bearerToken(req.headers.authorization);
    const name = token === undefined ? undefined : settings.isToken(token);
    if (name !== undefined) {
      res.locals.who = name;
      next();
      return;
    }
    const read = req.method === "GET" || req.method === "HEAD";
    if (
      token === undefined &&
      read &&
      settings.config.readAccess === "loopback" &&
      isLoopback(req.socket.remoteAddress)
    ) {
      res.locals.who = "loopback";
      next();
      return;
    }
    res.setHeader("www-authenticate", 'Bearer realm="traceway admin"');
    next(
      new TracewayError(
        "ADMIN_UNAUTHORIZED",
        token === undefined
          ? "missing Authorization: Bearer <token>"
          : "the token is not one of admin.tokens",
      ),
    );
  };
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/** A body, when sent, must be JSON (an empty body is checked by the parser of each endpoint). */
const requireJson: RequestHandler = (req, _res, next) => {
  const length = req.headers["content-length"];
  const hasBody = (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && !req.is("application/json")) {
    next(
      new TracewayError(
        "ADMIN_NOT_JSON",
        `the body must be application/json, got ${req.headers["content-type"] ?? "no content-type"}`,
      ),
    );
    return;
  }
  next();
};

function changeBackend(
  req: Request,
  res: Response,
  deps: AdminAppDeps,
  command: { kind: "backend.patch"; patch: ReturnType<typeof overrideOf> } | { kind: "backend.reset" },
  applied: BackendChangeResponse["applied"],
): void {
  const { control } = deps;
  const upstream = upstreamNamed(control.upstreams(), param(req, "upstream"));
  const found = backendNamed(upstream, param(req, "backend"));
  control.execute({ ...command, upstream: upstream.name, backend: found.backend.id });
  record(deps, res, {
    action: command.kind,
    upstream: upstream.name,
    backend: found.backend.label,
    change: { ...applied },
  });
  const answer = (): void => {
    const body: BackendChangeResponse = {
      backend: backendView(control, upstream, found),
      applied,
      holds: HOLDS,
    };
    res.json(body);
  };
  if (deps.changeSettled) void deps.changeSettled().then(answer, answer);
  else answer();
}

function actOnCanary(req: Request, res: Response, deps: AdminAppDeps, action: CanaryAction): void {
  const controller = canaryOf(deps.control, req);
  const who = String(res.locals.who);
  const view = controller.act(action, who);
  record(deps, res, {
    action: `canary.${action}`,
    upstream: controller.upstream,
    backend: null,
    change: { phase: view.phase, step: view.step, share: view.share },
  });
  res.json(view);
}

function canaryOf(control: BalancerControl, req: Request) {
  const upstream = upstreamNamed(control.upstreams(), param(req, "upstream"));
  return control.canaries.get(upstream.name);
}

/** Logs, counts and streams one change: who, what, when. */
function record(deps: AdminAppDeps, res: Response, change: Omit<AdminChange, "who">): void {
  const full: AdminChange = { who: String(res.locals.who), ...change };
  deps.logger.info({ ...full, at: new Date(deps.control.now()).toISOString() }, "admin change");
  deps.onChange?.(full);
  deps.control.feed.publish({ type: "change", ...full });
}

function param(req: Request, name: string): string {
  const value = req.params[name];
  return typeof value === "string" ? value : "";
}

/** 405 with `Allow` for a path that exists with other methods; 404 otherwise. */
function notFound(app: Express): RequestHandler {
  return (req, res, next) => {
    const allowed = allowedMethods(app, req.path);
    if (allowed.length > 0) {
      res.setHeader("allow", allowed.join(", "));
      next(
        new TracewayError(
          "METHOD_NOT_ALLOWED",
          `${req.method} is not allowed on ${req.path}; allowed: ${allowed.join(", ")}`,
        ),
      );
      return;
    }
    next(new TracewayError("ADMIN_NOT_FOUND", `no endpoint ${req.path}; see ${V1}/openapi.json`));
  };
}

interface RouteLayer {
  route?: { methods: Record<string, boolean> };
  match(path: string): boolean;
}

function allowedMethods(app: Express, path: string): string[] {
  const stack = (app as unknown as { router: { stack: RouteLayer[] } }).router.stack;
  const methods = new Set<string>();
  for (const layer of stack) {
    if (layer.route && layer.match(path)) {
      for (const [method, on] of Object.entries(layer.route.methods))
        if (on) methods.add(method.toUpperCase());
    }
  }
  return [...methods];
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const e = asTracewayError(error);
    if (e.kind === "ADMIN_INTERNAL") logger.error({ err: error }, "admin API failure");
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(e.status).json(e.toJSON());
  };
}

/** body-parser's errors (too large, bad JSON) and anything unexpected as coded errors. */
function asTracewayError(error: unknown): TracewayError {
  if (error instanceof TracewayError) return error;
  const e = error as { type?: string; message?: string };
  if (e.type === "entity.too.large")
    return new TracewayError("ADMIN_BODY_TOO_LARGE", `the body is larger than ${BODY_LIMIT}`);
  if (e.type === "entity.parse.failed")
    return new TracewayError("ADMIN_BAD_INPUT", `malformed JSON: ${e.message ?? ""}`);
  if (e.type === "encoding.unsupported" || e.type === "charset.unsupported") {
    return new TracewayError("ADMIN_NOT_JSON", e.message ?? "unsupported body encoding");
  }
  return new TracewayError("ADMIN_INTERNAL", "internal admin API failure");
}
