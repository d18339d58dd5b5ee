/**
 * OpenTelemetry tracing, off unless an OTLP endpoint is configured. The SDK is loaded only
 * when it is on, so a service without tracing pays nothing at start-up. It must start before
 * the modules it instruments (http) are used, so main.ts calls it first.
 */
export interface Tracing {
  enabled: boolean;
  shutdown(): Promise<void>;
}

export async function startTracing(settings: {
  service: string;
  otlpEndpoint: string | undefined;
}): Promise<Tracing> {
  if (!settings.otlpEndpoint) return { enabled: false, shutdown: () => Promise.resolve() };
  const [{ NodeSDK }, { OTLPTraceExporter }, { HttpInstrumentation }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/instrumentation-http'),
      import('@opentelemetry/resources'),
    ]);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': settings.service }),
    traceExporter: new OTLPTraceExporter({ url: tracesUrl(settings.otlpEndpoint) }),
    instrumentations: [new HttpInstrumentation()],
  });
  sdk.start();
  return { enabled: true, shutdown: () => sdk.shutdown() };
}

/**
 * The traces URL under an OTLP base endpoint: the OpenTelemetry spec appends `v1/traces` to the
 * endpoint's path, so a collector behind a path prefix (http://gw/otlp) gets http://gw/otlp/v1/traces.
 */
export function tracesUrl(endpoint: string): string {
  const base = new URL(endpoint);
  if (!base.pathname.endsWith('/')) base.pathname += '/';
  return new URL('v1/traces', base).toString();
}
