"""The library inside other frameworks' pipelines (`qa.integrations.langchain`)."""
