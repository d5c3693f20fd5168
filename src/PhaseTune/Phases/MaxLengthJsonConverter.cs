using System.Text.Json;
using System.Text.Json.Serialization;

namespace PhaseTune.Phases;

/// <summary>A max_length is a number of tokens or "auto" (<see cref="TrainConfig.AutoMaxLength"/>).</summary>
public sealed class MaxLengthJsonConverter : JsonConverter<int>
{
    public override int Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
    {
        JsonTokenType.Number when reader.TryGetInt32(out int n) => n,
        JsonTokenType.String when reader.GetString() == "auto" => TrainConfig.AutoMaxLength,
        _ => throw new JsonException("max_length must be a whole number of tokens or \"auto\""),
    };

    public override void Write(Utf8JsonWriter writer, int value, JsonSerializerOptions options)
    {
        if (value == TrainConfig.AutoMaxLength) writer.WriteStringValue("auto");
        else writer.WriteNumberValue(value);
    }
}
