using System.CommandLine;
using PhaseTune.IO;
using PhaseTune.ModelFiles.Onnx;

namespace PhaseTune.Cli.Commands;

/// <summary>`phasetune export`: a saved model → a deployable ONNX folder.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true, Description = "a trained classifier (DIR/model), an encoder directory, or a Hub model org/name[@revision]" };
        var outDir = new Option<string>("--out") { Required = true, Description = "output directory (model.onnx, tokenizer files, labels.json, export.json)" };
        var format = new Option<string>("--format") { DefaultValueFactory = _ => "onnx", Description = "onnx" };
        var quantize = new Option<string>("--quantize") { DefaultValueFactory = _ => "none", Description = "none|int8: dynamic int8 quantization of the transformer layers' linear maps" };
        var opset = new Option<int>("--opset") { DefaultValueFactory = _ => OnnxExport.Opset, Description = $"ai.onnx opset (only {OnnxExport.Opset} is written)" };
        var cmd = new Command("export", "Export a model to ONNX (opset 17): the whole computation from token ids to probabilities or sentence embeddings.")
            { model, outDir, format, quantize, opset };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            if (r.GetValue(format) != "onnx") throw new ArgumentException($"--format: unknown format '{r.GetValue(format)}' (onnx)");
            if (r.GetValue(quantize) is not ("none" or "int8")) throw new ArgumentException($"--quantize: unknown '{r.GetValue(quantize)}' (none, int8)");
            // opset 18 moved the axes of ReduceMax and ReduceL2 from attributes to inputs: another graph, not a number
            if (r.GetValue(opset) != OnnxExport.Opset) throw new ArgumentException($"--opset {r.GetValue(opset)}: only opset {OnnxExport.Opset} is written");
            string source = r.GetValue(model)!, dir = r.GetValue(outDir)!;
            // the output folder is replaced whole ("*"), so it must not hold or be the model it is made from
            PathGuard.CheckOutputFolder(("--out", dir), ["*"], ("--model", source));
            var manifest = OnnxDirectory.Export(source, dir, r.GetValue(quantize) == "int8");
            Console.WriteLine($"exported {(manifest["kind"]!.GetValue<string>() == "encoder" ? "an" : "a")} {manifest["kind"]} to {Path.Combine(dir, OnnxDirectory.ModelFile)} (opset {manifest["opset"]}, {manifest["quantization"]} quantization, " +
                $"inputs {string.Join(", ", manifest["inputs"]!.AsArray().Select(i => i!["name"]))}, outputs {string.Join(", ", manifest["outputs"]!.AsArray().Select(o => o!["name"]))})");
            return 0;
        }));
        return cmd;
    }
}
