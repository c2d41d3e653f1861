# ------------------------------------------------------------ EC2 proof (incident 12)

data "aws_ami" "al2023" {
  most_recent = true
  owners      = ["amazon"]
  filter {
    name   = "name"
    values = ["al2023-ami-2023.*-x86_64"]
  }
}

data "aws_iam_policy_document" "ec2_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "proof" {
  name               = "${local.name}-proof"
  assume_role_policy = data.aws_iam_policy_document.ec2_trust.json
}

data "aws_iam_policy_document" "proof" {
  statement {
    sid       = "PutProof"
    actions   = ["s3:PutObject"]
    resources = ["${local.uploads_arn}/proof/*"]
  }
  statement {
    sid       = "EncryptProof"
    actions   = ["kms:Encrypt", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = [local.key_arn]
  }
}

resource "aws_iam_role_policy" "proof" {
  name   = "proof"
  role   = aws_iam_role.proof.id
  policy = data.aws_iam_policy_document.proof.json
}

resource "aws_iam_instance_profile" "proof" {
  name = "${local.name}-proof"
  role = aws_iam_role.proof.name
}

resource "aws_instance" "proof" {
  ami                  = data.aws_ami.al2023.id
  instance_type        = "t3.micro"
  iam_instance_profile = aws_iam_instance_profile.proof.name

  user_data = <<-EOT
    #!/bin/bash
    echo "written by $(hostname)" > /tmp/proof.txt
    aws s3 cp /tmp/proof.txt "s3://${local.uploads_name}/proof/boot.txt" \
      || aws s3api put-object --bucket "${local.uploads_name}" --key proof/boot.txt \
           --body /tmp/proof.txt --server-side-encryption aws:kms --ssekms-key-id "${local.key_arn}"
  EOT

  depends_on = [aws_iam_role_policy.proof]
}
