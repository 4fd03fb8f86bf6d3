import type { AccountAtRisk, AtRiskRule } from "../../api/trends";
import { Empty, ErrorNotice, Loading } from "../../components/Notices";
import { dateTime } from "../../format";
import { FollowUpBadge, MECHANISM_TEXT } from "./followUps";
import type { AtRiskStore } from "./store";

/** Why the account is listed, in words, by the rule that fired. */
export function ruleText(account: AccountAtRisk, rule: AtRiskRule | null): string {
  if (account.rule_fired === "streak") return `${account.streak} negative requests in a row`;
  const days =
    rule && rule.version === account.rule_version
      ? ` within ${rule.window_days} days`
      : " within the rule's window";
  return `${account.window_negatives} negative requests${days}`;
}

export function ruleInForce(rule: AtRiskRule): string {
  return `An account is at risk after ${rule.streak_length} negative requests in a row, or ${rule.window_negatives} within ${rule.window_days} days (rule version ${rule.version}).`;
}

function latest(account: AccountAtRisk): string | null {
  return account.requests.reduce<string | null>(
    (last, request) => (last === null || request.created_at > last ? request.created_at : last),
    null,
  );
}

interface AtRiskListProps {
  store: AtRiskStore;
  onOpen: (accountId: string) => void;
}

/** Accounts at risk, most severe first, each with the rule that fired and its follow-up. */
export function AtRiskList({ store, onOpen }: AtRiskListProps) {
  const items = store.items.value;
  const rule = store.rule.value;
  return (
    <section class="card at-risk" aria-labelledby="at-risk-title">
      <div class="section-head">
        <h2 id="at-risk-title">Accounts at risk</h2>
        <button type="button" onClick={() => void store.reload()} disabled={store.loading.value}>
          Refresh accounts
        </button>
      </div>
      {rule ? <p class="meta">{ruleInForce(rule)} Most severe first.</p> : null}
      {store.error.value ? (
        <ErrorNotice error={store.error.value} onRetry={() => void store.reload()} />
      ) : null}
      {store.loading.value && !store.loaded.value ? (
        <Loading what="Loading accounts at risk…" />
      ) : null}
      {store.loaded.value && items.length === 0 && !store.error.value ? (
        <Empty>No account is at risk: nobody has sent a series of negative requests.</Empty>
      ) : null}
      {items.length > 0 ? (
        <div
          class="table-wrap"
          role="region"
          aria-label="Accounts at risk, most severe first"
          tabIndex={0}
        >
          <table class="queue">
            <caption class="visually-hidden">Accounts at risk, most severe first</caption>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Why</th>
                <th scope="col">At risk since</th>
                <th scope="col">Follow-up</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((account) => {
                const last = latest(account);
                return (
                  <tr key={account.account_id}>
                    <th scope="row" class="account">
                      {account.account_id}
                    </th>
                    <td class="why">
                      <span class={`badge rule-${account.rule_fired}`}>
                        {account.rule_fired === "streak" ? "Streak" : "Window"}
                      </span>{" "}
                      {ruleText(account, rule)}
                    </td>
                    <td class="since">
                      {account.at_risk_since ? dateTime(account.at_risk_since) : "–"}
                      {last ? <p class="meta">latest request {dateTime(last)}</p> : null}
                    </td>
                    <td>
                      {account.follow_up ? (
                        <>
                          <FollowUpBadge state={account.follow_up.state} />
                          <p class="meta">
                            {MECHANISM_TEXT[account.follow_up.mechanism]} ·{" "}
                            {account.follow_up.owner} · due {account.follow_up.due_date}
                          </p>
                        </>
                      ) : (
                        <span class="meta">None yet</span>
                      )}
                    </td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Open the timeline of ${account.account_id}`}
                        onClick={() => onOpen(account.account_id)}
                      >
                        Timeline
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
      {store.nextCursor.value ? (
        <button
          type="button"
          class="more"
          onClick={() => void store.more()}
          disabled={store.loading.value}
        >
          Show more accounts
        </button>
      ) : null}
    </section>
  );
}
