import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateConfigText } from '../config/validate.js';
import { otlpTracesUrl, sameTracingSettings, tracingSettings } from './tracing.js';

test('otlp_endpoint is read like OTEL_EXPORTER_OTLP_ENDPOINT', () => {
  assert.equal(otlpTracesUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(otlpTracesUrl('http://127.0.0.1:4318/'), 'http://127.0.0.1:4318/v1/traces');
  assert.equal(otlpTracesUrl('https://otel.example/api/public/otel'), 'https://otel.example/api/public/otel/v1/traces');
  assert.equal(otlpTracesUrl('https://otel.example/api/public/otel/v1/traces'), 'https://otel.example/api/public/otel/v1/traces');
  assert.equal(otlpTracesUrl('https://otel.example/v1/traces/'), 'https://otel.example/v1/traces');
});

test('telemetry settings: off without an endpoint (an unset ${VAR} too), defaults, bad URLs refused', () => {
  const config = (yaml: string, env: NodeJS.ProcessEnv = {}) => {
    const result = validateConfigText(yaml, env);
    if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
    return result.config;
  };
  assert.equal(tracingSettings(config('models: {}')), undefined);
  assert.equal(tracingSettings(config('telemetry: { metrics_auth: true }')), undefined);
  assert.equal(tracingSettings(config('telemetry: { otlp_endpoint: "${OTLP_URL}" }')), undefined);
  assert.deepEqual(tracingSettings(config('telemetry: { otlp_endpoint: "${OTLP_URL}" }', { OTLP_URL: 'http://collector:4318' })), {
    endpoint: 'http://collector:4318',
    headers: {},
    serviceName: 'switchyard',
  });
  const result = validateConfigText('telemetry: { otlp_endpoint: "collector:4318" }', {});
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.problems[0]!.path, /telemetry\.otlp_endpoint/);

  const a = tracingSettings(config('telemetry: { otlp_endpoint: "http://a:4318", service_name: gw }'));
  assert.equal(sameTracingSettings(a, tracingSettings(config('telemetry: { otlp_endpoint: "http://a:4318", service_name: gw }'))), true);
  assert.equal(sameTracingSettings(a, tracingSettings(config('telemetry: { otlp_endpoint: "http://b:4318", service_name: gw }'))), false);
  assert.equal(sameTracingSettings(undefined, undefined), true);
});

test('gen_ai.provider.name: the conventions’ well-known values where one exists, else the provider type', async () => {
  const { genAiProviderName } = await import('./tracing-otel.js');
  assert.deepEqual(
    ['openai', 'azure', 'anthropic', 'gemini', 'bedrock', 'mistral', 'groq', 'deepseek', 'xai', 'together', 'openai-compatible', 'mock'].map(genAiProviderName),
    ['openai', 'azure.ai.openai', 'anthropic', 'gcp.gemini', 'aws.bedrock', 'mistral_ai', 'groq', 'deepseek', 'x_ai', 'together', 'openai-compatible', 'mock'],
  );
});
