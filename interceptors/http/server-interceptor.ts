import { context, SpanStatusCode } from "@opentelemetry/api";
import type { IncomingMessage, ServerResponse } from "node:http";
import { errorTypeOf, guard } from "../internal/guard.ts";
import { createHttpTelemetry } from "./http-telemetry.ts";
import { ServerCall } from "./server-call.ts";
import { ERROR_TYPE_CLIENT_CLOSED } from "../semconv.ts";
import type {
  HttpServerInterceptor,
  HttpServerInterceptorOptions,
  HttpServerRequestInfo,
  HttpServerResult,
} from "./types.ts";

/** What Express leaves on a request once a route matched. */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** Express's route template: mount path plus the matched route's path; `undefined` if none matched. */
function expressRoute(req: IncomingMessage): string | undefined {
  const { route, baseUrl } = req as ExpressRequest;
  if (route === undefined || typeof route.path !== "string") return undefined;
  return (baseUrl ?? "") + route.path;
}

/**
 * Creates Express/connect middleware for your own services: a SERVER span `{method} {route}`
 * per request that continues an incoming W3C trace (so a service behind traceway joins the
 * balancer's trace), the handler run with that span active, and `http.server.request.duration`.
 * Mount it first. The returned function also has `start(info)` for non-middleware servers.
 *
 * @example
 * ```ts
 * const app = express();
 * app.use(createHttpServerInterceptor({ tracerProvider, meterProvider }));
 * app.get("/orders/:id", handler); // span "GET /orders/:id"
 * ```
 */
export function createHttpServerInterceptor(
  options: HttpServerInterceptorOptions = {},
): HttpServerInterceptor {
  const telemetry = createHttpTelemetry(options);
  const routeTemplate = options.routeTemplate ?? expressRoute;
  const attributes = options.attributes;

  const start = (info: HttpServerRequestInfo): ServerCall =>
    new ServerCall(telemetry, info.req, info.route, info.attributes ?? attributes, info);

  const middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const call = guard("server span start", () => start({ req }));
    if (call === undefined) {
      next();
      return;
    }
    const finish = (): void => {
      const route = guard("route template", () => routeTemplate(req));
      call.end(resultOf(res, route));
    };
    res.once("close", finish);
    try {
      context.with(call.context, next);
    } catch (err) {
      guard("server span error", () => {
        call.span.recordException(err instanceof Error ? err : String(err));
        call.span.setStatus({ code: SpanStatusCode.ERROR });
      });
      res.off("close", finish);
      call.end({ statusCode: 500, errorType: errorTypeOf(err) });
      throw err;
    }
  };
  return Object.assign(middleware, { start });
}

/**
 * How a response ended, from its `close`: finished; cut short after its head (the status sent, and
 * `client_closed`); or closed before any head, when no status was ever sent (so none is recorded,
 * only `error.type`), never a made-up 499.
 */
function resultOf(res: ServerResponse, route: string | undefined): HttpServerResult {
  const withRoute = route === undefined ? {} : { route };
  if (res.writableFinished) return { statusCode: res.statusCode, ...withRoute };
  if (res.headersSent)
    return { statusCode: res.statusCode, errorType: ERROR_TYPE_CLIENT_CLOSED, ...withRoute };
  return { errorType: ERROR_TYPE_CLIENT_CLOSED, ...withRoute };
}
