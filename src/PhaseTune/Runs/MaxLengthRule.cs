using PhaseTune.Data;
using PhaseTune.Phases;
using PhaseTune.Text;

namespace PhaseTune.Runs;

/// <summary>The paper's max-length rule for `max_length = auto`: 1.2 × the longest tokenised training text (pairs as
/// the model sees them, special tokens included), capped at the model's maximum.</summary>
public static class MaxLengthRule
{
    public static int For(ITokenizer tok, IEnumerable<Example> train, int modelMaximum)
    {
        int longest = train.Max(e => tok.Encode(e.Text, e.Text2).Length);
        return Math.Min(modelMaximum, (int)Math.Ceiling(1.2 * longest));
    }

    /// <summary>The config with an "auto" max length resolved; any other value is kept.</summary>
    public static TrainConfig Resolve(TrainConfig c, ITokenizer tok, DataSplits data, int modelMaximum) =>
        c.MaxLength == TrainConfig.AutoMaxLength ? c with { MaxLength = For(tok, data.Train, modelMaximum) } : c;
}
