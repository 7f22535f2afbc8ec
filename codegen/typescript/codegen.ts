import type { CodegenConfig } from "@graphql-codegen/cli";

// `make codegen` (top level) runs this: typed documents for every operation in examples/.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["../../examples/*.graphql"],
  generates: {
    "src/gql/": {
      preset: "client",
      // persisted-documents.json: {sha256: document}, the server's TRUSTED_DOCUMENTS;
      // each document also carries its hash (`__meta__.hash`) for sending by id.
      presetConfig: { persistedDocuments: { hashAlgorithm: "sha256" } },
      config: {
        scalars: { DateTime: "string", Decimal: "string", JSON: "unknown" },
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
