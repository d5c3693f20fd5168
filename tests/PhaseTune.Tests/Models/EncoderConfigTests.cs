using PhaseTune.ModelFiles;
using PhaseTune.Models;
using Xunit;

namespace PhaseTune.Tests.Models;

public class EncoderConfigTests
{
    static string Config(string json)
    {
        string path = Path.Combine(Paths.TempDir(), "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("{\"num_hidden_layers\": -2}", "num_hidden_layers must be ≥ 1, got -2")]
    [InlineData("{\"vocab_size\": 0}", "vocab_size must be ≥ 1, got 0")]
    [InlineData("{\"hidden_dropout_prob\": 1.5}", "hidden_dropout_prob must be in [0, 1], got 1.5")]
    [InlineData("{\"pad_token_id\": 40000}", "pad_token_id must be < vocab_size 30522, got 40000")]
    [InlineData("{\"hidden_size\": 100, \"num_attention_heads\": 12}", "hidden_size 100 is not a multiple of num_attention_heads 12")]
    [InlineData("{\"layer_norm_eps\": 0}", "layer_norm_eps must be > 0, got 0")]
    public void ErrorsNameTheKeyAndTheValue(string json, string message)
    {
        string path = Config(json);
        Assert.Equal($"{path}: {message}", Assert.Throws<InvalidDataException>(() => EncoderConfig.Load(path)).Message);
    }

    const string Distil = "\"model_type\": \"distilbert\", \"vocab_size\": 100, \"dim\": 32, \"n_layers\": 2, \"n_heads\": 4, \"hidden_dim\": 64, \"max_position_embeddings\": 64";
    const string Electra = "\"model_type\": \"electra\", \"vocab_size\": 100, \"embedding_size\": 16, \"hidden_size\": 32, \"num_hidden_layers\": 2, " +
        "\"num_attention_heads\": 4, \"intermediate_size\": 64, \"max_position_embeddings\": 64, \"type_vocab_size\": 2";

    [Theory]
    [InlineData("{" + Distil + ", \"activation\": \"tanh\"}", typeof(NotSupportedException), "activation 'tanh' is not supported")]
    [InlineData("{" + Distil + ", \"sinusoidal_pos_embds\": true}", typeof(NotSupportedException), "\"sinusoidal_pos_embds\": true is not supported")]
    [InlineData("{" + Distil + ", \"dropout\": 2}", typeof(InvalidDataException), "dropout must be in [0, 1], got 2")]
    [InlineData("{\"model_type\": \"distilbert\", \"vocab_size\": 100, \"n_layers\": 2}", typeof(InvalidDataException), "\"dim\" is missing (HF writes it for model_type distilbert)")]
    [InlineData("{\"model_type\": \"distilbert\", \"vocab_size\": 100, \"dim\": 30, \"n_layers\": 2, \"n_heads\": 4, \"hidden_dim\": 64, \"max_position_embeddings\": 64}",
        typeof(InvalidDataException), "dim 30 is not a multiple of n_heads 4")]
    [InlineData("{" + Electra + ", \"hidden_act\": \"elu\"}", typeof(NotSupportedException), "hidden_act 'elu' is not supported")]
    [InlineData("{\"model_type\": \"electra\", \"vocab_size\": 100, \"hidden_size\": 32}", typeof(InvalidDataException), "\"num_hidden_layers\" is missing (HF writes it for model_type electra)")]
    [InlineData("{\"model_type\": \"electra\", \"vocab_size\": 100, \"hidden_size\": 32, \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"intermediate_size\": 64, \"max_position_embeddings\": 64, \"type_vocab_size\": 2}",
        typeof(InvalidDataException), "\"embedding_size\" is missing (HF writes it for model_type electra)")]
    public void DistilBertAndElectraErrorsNameTheFileAndTheirOwnKeys(string json, Type error, string message)
    {
        string path = Config(json);
        var e = Assert.Throws(error, () => EncoderConfig.Load(path));
        Assert.StartsWith($"{path}: {message}", e.Message);
    }

    [Fact]
    public void DistilBertAndElectraCountTheirParametersAsHfDoes()
    {
        var distil = EncoderConfig.Load(Config("{\"model_type\": \"distilbert\", \"vocab_size\": 30522, \"dim\": 768, \"n_layers\": 6, \"n_heads\": 12, " +
            "\"hidden_dim\": 3072, \"max_position_embeddings\": 512, \"activation\": \"gelu\", \"sinusoidal_pos_embds\": false}"));
        Assert.Equal(66_362_880, distil.ParameterCount);   // distilbert-base-uncased's DistilBertModel
        Assert.Equal((0, false, 1e-12), (distil.TypeVocabSize, distil.HasPooler, distil.LayerNormEps));
        var electra = EncoderConfig.Load(Config("{\"model_type\": \"electra\", \"vocab_size\": 30522, \"embedding_size\": 128, \"hidden_size\": 256, " +
            "\"num_hidden_layers\": 12, \"num_attention_heads\": 4, \"intermediate_size\": 1024, \"max_position_embeddings\": 512, \"type_vocab_size\": 2}"));
        Assert.Equal(13_483_008, electra.ParameterCount);   // electra-small-discriminator's ElectraModel
        Assert.True(electra.ProjectsEmbeddings);
    }

    [Fact]
    public void AConfigLargerThanItsWeightsIsRefusedBeforeAnythingIsAllocated()
    {
        string dir = Paths.TempDir();
        foreach (var f in Directory.GetFiles(Paths.Fixture("tiny-bert"))) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        var text = File.ReadAllText(Path.Combine(dir, "config.json")).Replace("\"vocab_size\": 30522", "\"vocab_size\": 2000000000");
        File.WriteAllText(Path.Combine(dir, "config.json"), text);
        var e = Assert.Throws<InvalidDataException>(() => ModelDirectory.Load(dir));
        Assert.Contains("config.json: describes an encoder of", e.Message);
        Assert.Contains("do not belong together", e.Message);
        Assert.Equal(109_482_240, new EncoderConfig().ParameterCount);   // bert-base-uncased, as HF counts BertModel
    }
}
