import { redactUrl, type Logger } from '../telemetry/logger.js';
import type { RuleLabel } from './rules.js';

export function formatUsd(usd: number): string {
  return `$${usd < 0.01 && usd > 0 ? usd.toPrecision(2) : usd.toFixed(2)}`;
}

const ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;

/**
 * `limits.budget_alerts.webhook`: one POST per budget, period and threshold crossed (claimed in the
 * limit store first, so several instances send it once). Retried twice on network errors and 5xx.
 */
export async function sendBudgetAlert(
  url: string,
  alert: { id: string; label: RuleLabel; threshold: number; spentUsd: number },
  logger: Logger,
): Promise<void> {
  const budget = alert.label.budget!;
  const body = JSON.stringify({
    type: 'budget_alert',
    budget: alert.id,
    scope: alert.label.scope,
    threshold_percent: alert.threshold,
    spent_usd: Math.round(alert.spentUsd * 1e6) / 1e6,
    budget_usd: budget.usd,
    period: budget.period,
    period_start: new Date(budget.start).toISOString(),
    resets_at: Number.isFinite(budget.end) ? new Date(budget.end).toISOString() : null,
  });
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 500) {
        if (!response.ok) logger.warn({ status: response.status, webhook: redactUrl(url) }, 'budget alert refused by the webhook');
        return;
      }
    } catch {
      // network error or timeout: retried below
    }
    if (attempt < ATTEMPTS) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** (attempt - 1)));
  }
  logger.warn({ webhook: redactUrl(url), budget: alert.id, threshold: alert.threshold }, 'budget alert could not be delivered');
}

