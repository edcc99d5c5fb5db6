"""template.yaml as the engine's single source of wiring: which handler serves which ${...}Arn, the
functions' environment, the state machines' ASL and substitutions, the control table and the EventBridge
rules that start machines."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cfnlint.decode import cfn_yaml


@dataclass(frozen=True)
class Function:
    logical_id: str
    handler: str  # "package.module.handler", relative to code_dir
    code_dir: Path
    environment: dict[str, Any]


@dataclass(frozen=True)
class StateMachine:
    logical_id: str
    definition_path: Path
    substitutions: dict[str, Any]
    event_patterns: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Template:
    root: Path
    functions: dict[str, Function]
    state_machines: dict[str, StateMachine]
    resources: dict[str, Any]
    parameters: dict[str, Any]
    conditions: dict[str, Any]

    @classmethod
    def load(cls, root: Path) -> "Template":
        doc = cfn_yaml.load(str(root / "template.yaml"))
        globals_ = doc.get("Globals", {}).get("Function", {})
        resources = doc["Resources"]
        functions, machines = {}, {}
        for logical_id, resource in resources.items():
            props = resource.get("Properties", {})
            if resource["Type"] == "AWS::Serverless::Function":
                env = {
                    **globals_.get("Environment", {}).get("Variables", {}),
                    **props.get("Environment", {}).get("Variables", {}),
                }
                code = root / props.get("CodeUri", globals_.get("CodeUri", "."))
                functions[logical_id] = Function(logical_id, props["Handler"], code, env)
            elif resource["Type"] == "AWS::Serverless::StateMachine":
                patterns = [
                    event["Properties"]["Pattern"]
                    for event in props.get("Events", {}).values()
                    if event["Type"] == "EventBridgeRule"
                ]
                machines[logical_id] = StateMachine(
                    logical_id,
                    root / props["DefinitionUri"],
                    dict(props.get("DefinitionSubstitutions", {})),
                    patterns,
                )
        return cls(
            root, functions, machines, dict(resources), doc.get("Parameters", {}), doc.get("Conditions", {})
        )

    def definition(self, machine: StateMachine, resolve: "Resolver") -> str:
        """The ASL text with every ${Name} replaced, as CloudFormation would."""
        text = machine.definition_path.read_text()
        for name, value in machine.substitutions.items():
            text = text.replace("${" + name + "}", str(resolve(value)))
        if "${" in text:
            unresolved = text[text.index("${") :].split("}", 1)[0] + "}"
            raise ValueError(f"{machine.definition_path}: unresolved substitution {unresolved}")
        json.loads(text)
        return text

    def properties(self, logical_id: str) -> dict[str, Any]:
        return dict(self.resources[logical_id].get("Properties", {}))


class Resolver:
    """Resolves the intrinsic functions the template uses, to the engine's names and ARNs."""

    def __init__(
        self, template: Template, region: str, account: str, names: dict[str, str], arns: dict[str, str]
    ):
        """names: Ref of each resource (and parameter defaults); arns: Fn::GetAtt X.Arn."""
        self.region, self.account, self.arns = region, account, arns
        defaults = {k: str(v.get("Default", "")) for k, v in template.parameters.items()}
        self.names = defaults | names
        self.conditions: dict[str, Any] = template.conditions

    def __call__(self, value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                return self.names.get(
                    arg,
                    {"AWS::Region": self.region, "AWS::AccountId": self.account, "AWS::Partition": "aws"}.get(
                        arg, ""
                    ),
                )
            if fn == "Fn::GetAtt":
                logical_id, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.arns[logical_id] if attribute == "Arn" else self.names[logical_id]
            if fn == "Fn::If":
                condition, when_true, when_false = arg
                return self(when_true if self.condition(condition) else when_false)
            if fn == "Fn::Equals":
                return self(arg[0]) == self(arg[1])
        return value

    def condition(self, name: str) -> bool:
        return bool(self(self.conditions[name]))
