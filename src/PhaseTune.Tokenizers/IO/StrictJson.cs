using System.Text.Json;

namespace PhaseTune.IO;

/// <summary>How user and model JSON files are parsed: a key given twice is an error (which value would win is
/// reader-specific, so a repeated key is never silently half-honoured), nesting is bounded.</summary>
public static class StrictJson
{
    public static readonly JsonDocumentOptions Document = new() { AllowDuplicateProperties = false, MaxDepth = 64 };
}
