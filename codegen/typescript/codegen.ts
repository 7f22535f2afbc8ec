import type { CodegenConfig } from "@graphql-codegen/cli";

// `make codegen` (top level) runs this: typed documents for every operation in examples/.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../examples/*.graphql"],
  generates: {
    "src/gql/": {
      preset: "client",
      config: {
        scalars: { DateTime: "string", Decimal: "string", JSON: "unknown" },
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
