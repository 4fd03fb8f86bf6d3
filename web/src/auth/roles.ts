export type Role = "customer" | "agent" | "supervisor";

// Staff roles include what the roles below them may do; the highest one decides the pages.
const RANK: readonly Role[] = ["supervisor", "agent", "customer"];

/** The role a person works in, from their token's `cognito:groups`; null when none is known. */
export function roleFromGroups(groups: unknown): Role | null {
  if (!Array.isArray(groups)) {
    return null;
  }
  return RANK.find((role) => groups.includes(role)) ?? null;
}
