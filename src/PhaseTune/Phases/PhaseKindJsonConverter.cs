using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhaseTune.Phases;

/// <summary>Writes and reads a <see cref="PhaseKind"/> by its <see cref="PhaseKinds"/> name.</summary>
public sealed class PhaseKindJsonConverter : JsonConverter<PhaseKind>
{
    public override PhaseKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String) throw new JsonException("a phase is given by its name, a string");
        string name = reader.GetString()!;
        return PhaseKinds.TryParse(name, out var kind) ? kind : throw new JsonException(PhaseKinds.Unknown(name));
    }

    public override void Write(Utf8JsonWriter writer, PhaseKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());
}
