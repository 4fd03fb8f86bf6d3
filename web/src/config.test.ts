import { describe, expect, it } from "vitest";

import { ConfigError, parseConfig } from "./config";

const ORIGIN = "http://127.0.0.1:8080";
const COMPLETE = {
  apiBaseUrl: "/",
  region: "us-east-1",
  userPoolId: "us-east-1_abc",
  userPoolClientId: "client",
  userPoolEndpoint: "http://127.0.0.1:5000",
};

describe("parseConfig", () => {
  it("resolves a relative API base URL against the portal's origin", () => {
    expect(parseConfig(COMPLETE, ORIGIN).apiBaseUrl).toBe("http://127.0.0.1:8080");
  });

  it("keeps an absolute API base URL without its trailing slash", () => {
    const config = parseConfig({ ...COMPLETE, apiBaseUrl: "https://api.example.com/" }, ORIGIN);
    expect(config.apiBaseUrl).toBe("https://api.example.com");
  });

  it("leaves the user pool endpoint out when the stage uses Cognito's own", () => {
    const { userPoolEndpoint: _, ...cloud } = COMPLETE;
    expect(parseConfig(cloud, ORIGIN)).not.toHaveProperty("userPoolEndpoint");
  });

  it("names every missing setting", () => {
    expect(() => parseConfig({ region: "us-east-1" }, ORIGIN)).toThrow(
      new ConfigError("config.json lacks apiBaseUrl, userPoolId, userPoolClientId"),
    );
  });

  it("refuses a value that is not an object", () => {
    expect(() => parseConfig(null, ORIGIN)).toThrow(ConfigError);
  });
});
