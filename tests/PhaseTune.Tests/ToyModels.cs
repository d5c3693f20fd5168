using PhaseTune.Models;
using PhaseTune.Text;
using TorchSharp;

namespace PhaseTune.Tests;

/// <summary>Tiny encoders over the real bert-base-uncased vocabulary, for fast training tests.</summary>
public static class ToyModels
{
    static ITokenizer? _tok;
    public static ITokenizer Tokenizer
    {
        get
        {
            lock (typeof(ToyModels))
                return _tok ??= WordPieceTokenizer.FromVocabFile(Path.Combine(Paths.Models, "bert-base-uncased", "vocab.txt"), new());
        }
    }

    public static BertModel Encoder(int seed, int hidden = 32)
    {
        torch.manual_seed(seed);
        return new BertModel(new EncoderConfig
        {
            VocabSize = Tokenizer.VocabSize, HiddenSize = hidden, NumHiddenLayers = 2, NumAttentionHeads = 2,
            IntermediateSize = 2 * hidden, MaxPositionEmbeddings = 64,
        });
    }

    public static readonly string[] Sports = ["the team won the football match", "a great goal in the final minute",
        "the striker scored twice tonight", "fans cheered the winning team", "the coach praised his players",
        "a tense match ended in a draw"];
    public static readonly string[] Food = ["this pasta recipe needs fresh basil", "bake the bread for forty minutes",
        "add salt and pepper to the soup", "the chef cooked a spicy curry", "slice the onions and fry them",
        "dessert was a rich chocolate cake"];

    public static List<PhaseTune.Data.Example> Corpus() =>
        Sports.Select(t => new PhaseTune.Data.Example(t, null, "sports")).Concat(Food.Select(t => new PhaseTune.Data.Example(t, null, "food"))).ToList();
}
