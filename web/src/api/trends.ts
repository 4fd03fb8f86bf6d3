import type { Client } from "openapi-fetch";

import type { Call } from "./client";
import type { components, paths } from "./schema";

export type CategoryTrends = components["schemas"]["CategoryTrends"];
export type PeriodTrend = components["schemas"]["PeriodTrend"];
export type TrendSummary = components["schemas"]["TrendSummary"];
export type Ranking = components["schemas"]["Ranking"];
export type RankedEntry = components["schemas"]["RankedEntry"];
export type TrendQuery = paths["/v1/trends/categories"]["get"]["parameters"]["query"];
export type Granularity = NonNullable<TrendQuery["granularity"]>;
export type AtRiskRule = components["schemas"]["AtRiskRule"];
export type AccountAtRisk = components["schemas"]["AccountAtRisk"];
export type AccountsAtRisk = components["schemas"]["AccountsAtRisk"];
export type AccountTimeline = components["schemas"]["AccountTimeline"];
export type FollowUp = components["schemas"]["FollowUp"];
export type FollowUpState = FollowUp["state"];
export type Mechanism = FollowUp["mechanism"];
export type NewFollowUp = components["schemas"]["CreateFollowUpRequest"];
export type FollowUpChanges = components["schemas"]["UpdateFollowUpRequest"];

/** The trends and accounts-at-risk calls, on the portal's client (bearer token, errors). */
export function trendsCalls(client: Client<paths>, call: Call) {
  return {
    categoryTrends: (query: TrendQuery) =>
      call(() => client.GET("/v1/trends/categories", { params: { query } })),
    trendSummary: (from: string, to: string) =>
      call(() => client.GET("/v1/trends/summary", { params: { query: { from, to } } })),
    atRiskRule: () => call(() => client.GET("/v1/config/at-risk")),
    accountsAtRisk: (cursor: string | null, limit = 25) =>
      call(() =>
        client.GET("/v1/accounts/at-risk", {
          params: { query: { limit, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    accountTimeline: (accountId: string, cursor: string | null) =>
      call(() =>
        client.GET("/v1/accounts/{account_id}/timeline", {
          params: { path: { account_id: accountId }, query: cursor ? { cursor } : {} },
        }),
      ),
    createFollowUp: (accountId: string, body: NewFollowUp) =>
      call(() =>
        client.POST("/v1/accounts/{account_id}/follow-ups", {
          params: { path: { account_id: accountId } },
          body,
        }),
      ),
    updateFollowUp: (accountId: string, followUpId: string, body: FollowUpChanges) =>
      call(() =>
        client.PATCH("/v1/accounts/{account_id}/follow-ups/{follow_up_id}", {
          params: { path: { account_id: accountId, follow_up_id: followUpId } },
          body,
        }),
      ),
  };
}
